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
