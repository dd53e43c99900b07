import { expect, test } from "@playwright/test";
import { hydrated, signIn } from "./helpers";

test("an administrator edits a used framework version, which creates the next one", async ({ page }) => {
  await signIn(page, "admin@demo.concord.example");
  await page.getByRole("banner").getByRole("link", { name: "Admin", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Administration" })).toBeVisible();
  await expect(page.getByRole("table", { name: "Users and roles" })).toContainText("moderator@demo.concord.example");
  await page.screenshot({ path: "test-results/admin.png", fullPage: true });

  await page.getByRole("link", { name: "Edit wording of version 1" }).click();
  await hydrated(page);
  await page.getByText("D1.1", { exact: true }).first().click();
  const prompt = page.getByLabel("Prompt").first();
  await prompt.fill("Did the organization provide a regular forum for its members' security concerns?");
  await page.getByRole("button", { name: "Save D1.1" }).click();
  await expect(page).toHaveURL(/\/admin\/frameworks\/regional-security-cooperation\/2$/);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("version 2");
  await page.screenshot({ path: "test-results/admin-framework.png", fullPage: false });
});

test("a non-administrator is told the administration does not exist", async ({ page }) => {
  await signIn(page, "expert1@demo.concord.example");
  const response = await page.goto("/admin");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("banner").getByRole("link", { name: "Admin", exact: true })).toHaveCount(0);
});
