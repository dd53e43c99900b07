import AxeBuilder from "@axe-core/playwright";
import { expect, test } from "@playwright/test";
import { hydrated, signIn } from "./helpers";

// `concord seed-demo` publishes study 2 with a first release.
const PUBLISHED = "/results/2";


test("a moderator reconciles a polarized cell and publishes the next release", async ({ page }) => {
  await signIn(page, "moderator@demo.concord.example");
  await page.goto("/studies/2/disagreements?kind=polarized");
  await hydrated(page);
  await expect(page.getByRole("heading", { name: "Disagreement queue" })).toBeVisible();
  const firstCell = page.getByRole("table").getByRole("row").nth(1).getByRole("link");
  const cellName = (await firstCell.textContent()) ?? "";
  await page.screenshot({ path: "test-results/queue.png", fullPage: true });
  await firstCell.click();
  await expect(page.getByRole("heading", { name: "Ratings side by side" })).toBeVisible();
  // Identities are for moderators: names sit beside pseudonyms here.
  await expect(page.getByRole("table")).toContainText("Amina Diallo");
  // The study is published: no further round opens, so the form does not
  // offer to ask the panel for a re-rating.
  await expect(page.getByLabel("Re-rating requested")).toHaveCount(0);
  await expect(page.getByLabel("Final value", { exact: true })).toBeVisible();
  await page.getByLabel("Moderator judgement").check();
  await page.getByLabel(/Final value/).selectOption("2");
  await page.getByLabel(/Rationale/).fill("Read against the 2006 summit record, the middle level fits best.");
  await page.getByLabel("Recorded dissent").fill("One seat held out for a higher level.");
  await page.screenshot({ path: "test-results/reconcile.png", fullPage: true });
  await page.getByRole("button", { name: "Record reconciliation" }).click();
  await expect(page.getByRole("status")).toContainText("Reconciliation recorded");
  await expect(page.getByText("Read against the 2006 summit record")).toBeVisible();

  await page.goto("/studies/2/disagreements");
  await hydrated(page);
  await page.getByLabel(/I confirm: publish/).check();
  await page.getByRole("button", { name: "Publish release" }).click();
  await expect(page.getByRole("status")).toContainText("Release 2 published");

  await page.goto(`${PUBLISHED}?release=2`);
  await expect(page.getByRole("heading", { name: "Changes since release 1" })).toBeVisible();
  const [acronym, code] = cellName.split(" · ");
  const changes = page.getByRole("table", { name: "Changes since release 1" });
  await expect(changes.getByRole("row", { name: new RegExp(`${code}`) })).toContainText("reconciliation");
  expect(acronym.length).toBeGreaterThan(0);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("a visitor reads an organization's consensus profile", async ({ page }) => {
    await page.goto("/results");
    await page.getByRole("link", { name: /published \(demo\)/ }).click();
    await expect(page.getByRole("heading", { level: 1 })).toContainText("published (demo)");
    await expect(page.getByRole("img", { name: /Consensus values by organization and criterion/ })).toBeVisible();
    // The rule that decides the marks is shown with them, with this study's minimum.
    const rule = page.locator("details.rule-in-force");
    await rule.getByText("This study’s consensus rule").click();
    await expect(rule).toContainText("interquartile range at most 1 level");
    await expect(rule).toContainText("fewer than 3 ratings");
    await page.screenshot({ path: "test-results/public-study.png", fullPage: true });
    await page.getByRole("link", { name: "NATO", exact: true }).first().click();
    await expect(page.getByRole("heading", { level: 1 })).toContainText("North Atlantic Treaty Organization");
    await expect(page.getByRole("img", { name: /NATO: mean consensus level per dimension/ })).toBeVisible();
    const cells = page.getByRole("table", { name: "Cells" });
    await expect(cells.getByRole("row")).toHaveCount(22);
    await expect(cells).not.toContainText("Amina");
    await page.screenshot({ path: "test-results/public-organization.png", fullPage: true });
    await page.goto(`${PUBLISHED}/compare?org=nato&org=eu&org=osce`);
    await expect(page.getByRole("table", { name: "Mean consensus level per dimension" })).toBeVisible();
    await page.screenshot({ path: "test-results/public-compare.png", fullPage: true });
  });
});

for (const path of ["/", "/methodology", "/results", PUBLISHED, `${PUBLISHED}/organizations/nato`, `${PUBLISHED}/compare?org=nato&org=eu`]) {
  test(`axe finds no serious or critical violations on ${path}`, async ({ page }) => {
    await page.goto(path);
    await hydrated(page);
    const results = await new AxeBuilder({ page }).analyze();
    const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    expect(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);
  });
}
