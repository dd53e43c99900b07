import { expect, test } from "@playwright/test";

test.describe("public pages without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("a visitor browses the catalogue and the methodology", async ({ page }) => {
    await page.goto("/");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Organizations" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Organizations" })).toBeVisible();
    await page.screenshot({ path: "test-results/organizations.png", fullPage: true });
    await page.getByRole("link", { name: "ECOWAS", exact: true }).click();
    await expect(page.getByRole("heading", { level: 1 })).toContainText("Economic Community of West African States");
    await expect(page.getByRole("list", { name: /member states/ }).getByRole("listitem")).toHaveCount(15);
    await page.screenshot({ path: "test-results/organization.png", fullPage: true });

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Methodology" }).click();
    await expect(page.getByText("D5.1", { exact: true })).toBeVisible();
    await page.screenshot({ path: "test-results/methodology.png" });
  });
});
