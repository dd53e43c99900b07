import { expect, test } from "@playwright/test";
import { hydrated, register, uniqueEmail } from "./helpers";

test("a moderator creates a study, invites two experts and opens scoring", async ({ page }) => {
  await register(page, uniqueEmail("moderator"), "Nia Moderator");
  await page.goto("/studies/new");
  await hydrated(page);
  await page.getByLabel("Title").fill("Security functions of European organizations");
  await page.getByRole("checkbox", { name: /^NATO/ }).check();
  await page.getByRole("checkbox", { name: /^EU / }).check();
  await page.screenshot({ path: "test-results/new-study.png", fullPage: true });
  await page.getByRole("button", { name: "Create study" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Security functions of European organizations");
  await expect(page.getByRole("row", { name: /NATO/ })).toBeVisible();

  for (const email of ["expert1@demo.concord.example", "expert2@demo.concord.example"]) {
    await page.getByLabel("Email").fill(email);
    await page.getByRole("button", { name: "Invite" }).click();
    await expect(page.getByRole("table", { name: /Panel members/ })).toContainText(email);
  }
  const panel = page.getByRole("table", { name: /Panel members/ });
  await expect(panel).toContainText("Expert A");
  await expect(panel).toContainText("Expert B");

  await page.getByLabel(/I confirm the change/).check();
  await page.getByRole("button", { name: "Advance to scoring" }).click();
  await expect(page.locator(".phase").first()).toHaveText("scoring");
  await page.screenshot({ path: "test-results/study-dashboard.png", fullPage: true });
});
