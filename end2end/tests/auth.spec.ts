import { expect, test } from "@playwright/test";
import { hydrated, PASSWORD, register, uniqueEmail } from "./helpers";


test("a person registers, signs out, signs in and sees their name", async ({ page }) => {
  const email = uniqueEmail("amina");
  await register(page, email, "Amina Diallo");
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByTestId("account-name")).toHaveText("Amina Diallo");
  await page.screenshot({ path: "test-results/account.png", fullPage: true });

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("banner").getByRole("link", { name: "Sign in" })).toBeVisible();

  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("Email").fill(email.toUpperCase());
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("banner").getByRole("link", { name: "Amina Diallo" })).toBeVisible();
  await expect(page).toHaveURL(/\/$/);
});

test("a wrong password shows an error and signs nobody in", async ({ page }) => {
  const email = uniqueEmail("wrong");
  await register(page, email, "Wrong Password");
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("banner").getByRole("link", { name: "Sign in" })).toBeVisible();

  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("not-my-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText(/email or password is not correct/);
  await expect(page.getByRole("banner").getByRole("link", { name: "Sign in" })).toBeVisible();
  await page.screenshot({ path: "test-results/login-error.png", fullPage: true });
});

test("registration shows inline messages for bad input", async ({ page }) => {
  await page.goto("/register");
  await hydrated(page);
  await page.getByLabel("Email").fill("not-an-email");
  await page.getByLabel("Display name").focus();
  await expect(page.locator("#field-email-error")).toContainText("email address like");
  await page.getByLabel("Password", { exact: true }).fill("password123");
  await page.getByLabel("Display name").focus();
  await expect(page.locator("#field-password-error")).toContainText("most common");
  await page.screenshot({ path: "test-results/register-inline.png", fullPage: true });
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("signing in works with plain forms, errors included", async ({ page, request }) => {
    // The account itself is made through the server function, as a script would.
    const email = uniqueEmail("nojs");
    const created = await request.post("/fn/auth/register", {
      form: { email, display_name: "No Script", password: PASSWORD },
    });
    expect(created.status()).toBeLessThan(400);

    await page.goto("/login");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("not-my-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert")).toHaveText(/email or password is not correct/);

    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("banner").getByRole("link", { name: "No Script" })).toBeVisible();
    await page.screenshot({ path: "test-results/nojs-signed-in.png", fullPage: true });
  });
});
