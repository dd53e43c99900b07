import { expect, Page } from "@playwright/test";

export const PASSWORD = "amber-lattice-quorum";

/** A unique email per test run, so tests never collide. */
export function uniqueEmail(prefix: string): string {
  return `${prefix}.${Date.now()}.${Math.floor(Math.random() * 1e6)}@example.org`;
}

/** Server-rendered buttons exist before the wasm attaches handlers: wait. */
export async function hydrated(page: Page): Promise<void> {
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1);
}

export async function register(page: Page, email: string, name: string): Promise<void> {
  await page.goto("/register");
  await hydrated(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Display name").fill(name);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("banner").getByRole("link", { name })).toBeVisible();
}

/** Signs in through the form and waits for the signed-in header. */
export async function signIn(page: Page, email: string): Promise<void> {
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("banner").getByRole("link", { name: "My studies" })).toBeVisible();
}
