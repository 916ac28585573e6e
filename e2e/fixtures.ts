import { test as base, expect } from "@playwright/test";

/** Tests address the stack started by global-setup.ts, whose ports are chosen at run time. */
export const test = base.extend<{ apiUrl: string }>({
  // Playwright reads a fixture's dependencies from its first parameter's destructuring.
  // eslint-disable-next-line no-empty-pattern
  baseURL: async ({}, use) => {
    const url = process.env.E2E_ADMIN_URL;
    if (!url) throw new Error("E2E_ADMIN_URL is not set: run the tests with `playwright test`");
    await use(url);
  },
  // eslint-disable-next-line no-empty-pattern
  apiUrl: async ({}, use) => {
    const url = process.env.E2E_API_URL;
    if (!url) throw new Error("E2E_API_URL is not set: run the tests with `playwright test`");
    await use(url);
  },
});

export { expect };

/** The demo staff seeded by `pnpm start` (SEED_ADMIN_* defaults): one member per role. */
export const demoPassword = "agrinet-dev-password";
export type DemoRole = "admin" | "operator" | "viewer";

/** Signs in through the dashboard's own form, as a person would, and lands on the overview. */
export async function signInAs(page: import("@playwright/test").Page, role: DemoRole): Promise<void> {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(`${role}@agrinet.local`);
  await page.getByLabel("Password").fill(demoPassword);
  await page.getByRole("main").getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("group", { name: "Signed in" }).getByTestId("session-email")).toHaveText(`${role}@agrinet.local`);
}
