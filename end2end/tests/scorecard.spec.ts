import { expect, test } from "@playwright/test";
import { hydrated, signIn } from "./helpers";

// The demo study (concord seed-demo): expert8 (Hana Sato) left the GCC
// scorecard as a draft; the seven other experts submitted theirs.
const SCORECARD = "/studies/1/organizations/gcc";


// Runs first: the expert test below submits the one draft it shows.
test("a moderator sees the panel with identities and progress", async ({ page }) => {
  await signIn(page, "moderator@demo.concord.example");
  await page.goto("/studies/1");
  await expect(page.getByRole("table", { name: /Panel members/ })).toContainText("Amina Diallo");
  await expect(page.getByRole("row", { name: /GCC/ }).first()).toContainText("of 8 submitted");
  // The dashboard: every expert × organization, with the one draft left.
  const matrix = page.getByRole("table", { name: "Progress by expert and organization" });
  await expect(matrix.getByRole("row", { name: /^Expert A Amina/ })).toContainText("submitted");
  await expect(matrix.getByRole("row", { name: /^Expert H Hana/ })).toContainText(/draft \d+\/21/);
  await page.screenshot({ path: "test-results/dashboard.png", fullPage: true });
});

test("an expert scores blind, autosaves from the keyboard, meets a stale tab, submits and then sees peers", async ({ page, context }) => {
  await signIn(page, "expert8@demo.concord.example");
  const responses: string[] = [];
  page.on("response", async (r) => {
    if (r.url().includes("/fn/") || r.url().includes("/studies/")) {
      responses.push(await r.text().catch(() => ""));
    }
  });
  await page.goto(SCORECARD);
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Gulf");

  // Blind: nothing of the peers' ratings, in the page or on the wire.
  await expect(page.getByRole("heading", { name: "Peers’ scorecards" })).toHaveCount(0);
  const html = await page.content();
  expect(html).not.toContain("from panel seat 1.");
  expect(responses.join("\n")).not.toContain("from panel seat 1.");

  // Keyboard only: focus D1.1's chosen level and move with the arrow keys.
  const group = page.getByRole("radiogroup", { name: "Rating for D1.1" });
  await group.locator("input:checked").focus();
  await page.keyboard.press("ArrowDown");
  const d11 = page.locator("form", { has: group });
  await expect(d11.getByRole("status")).toHaveText(/Saved · revision 2/);
  await page.screenshot({ path: "test-results/scorecard.png" });

  // A second tab opened now, then the first tab saves again: the second
  // tab's next save is based on a stale revision and is refused.
  const tab2 = await context.newPage();
  await tab2.goto(SCORECARD);
  await hydrated(tab2);
  await page.keyboard.press("ArrowDown");
  await expect(d11.getByRole("status")).toHaveText(/Saved · revision 3/);
  const group2 = tab2.getByRole("radiogroup", { name: "Rating for D1.1" });
  await group2.locator("input:checked").focus();
  await tab2.keyboard.press("ArrowUp");
  await expect(tab2.locator("form", { has: group2 }).getByRole("alert")).toContainText("changed in another window");
  await tab2.close();

  // Submit: now the peers appear, under pseudonyms only.
  await page.getByRole("button", { name: "Submit scorecard" }).click();
  await expect(page.getByRole("heading", { name: "Peers’ scorecards" })).toBeVisible();
  const peers = page.getByRole("table", { name: /Peers’ ratings/ });
  await expect(peers.getByRole("columnheader", { name: "Expert A" })).toBeVisible();
  await expect(peers).not.toContainText("Amina");

  // The cell discussions open too: Expert A's comment, and one of our own.
  const discussion = page.getByRole("region", { name: "Discussion" });
  const d11Thread = discussion.getByRole("article", { name: "Comments on D1.1" });
  await expect(d11Thread).toContainText("Expert A");
  await expect(d11Thread).toContainText("rests on few sources");
  await expect(discussion).not.toContainText("Amina");
  await discussion.getByLabel("Criterion").selectOption("D1.1");
  await discussion.getByRole("textbox", { name: /Comment/ }).fill("Seat 8 reads the 2006 summit record differently.");
  await discussion.getByRole("button", { name: "Post comment" }).click();
  await expect(d11Thread).toContainText("Seat 8 reads the 2006 summit record differently.");
  await expect(d11Thread.getByRole("listitem").last()).toContainText("Expert H");
  // A reply sits under the comment it answers and says whose.
  const first = d11Thread.getByRole("listitem").first();
  await first.getByText("Reply", { exact: true }).click();
  await first.getByRole("textbox", { name: "Reply to Expert A" }).fill("Which sources would change your reading?");
  await first.getByRole("button", { name: "Post reply" }).click();
  const reply = d11Thread.getByRole("listitem").filter({ hasText: "Which sources would change your reading?" });
  await expect(reply).toContainText("in reply to Expert A");
  await expect(reply).toHaveClass(/reply/);
  await expect(d11Thread.getByRole("listitem").nth(1)).toContainText("Which sources would change your reading?");
  // The posted reply's form is emptied and folded away again.
  await expect(first.getByRole("textbox", { name: "Reply to Expert A" })).toBeHidden();
  await expect(discussion.getByRole("textbox", { name: /Comment/ })).toHaveValue("");
  await d11Thread.screenshot({ path: "test-results/discussion.png" });
  await page.getByRole("heading", { name: "Peers’ scorecards" }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: "test-results/review.png", fullPage: false });
});
