import { test as base, expect } from "@playwright/test";

/** Tests address the stack started by global-setup.ts, whose ports are chosen at run time. */
export const test = base.extend<{ apiUrl: string }>({
  baseURL: async ({}, use) => {
    const url = process.env.E2E_ADMIN_URL;
    if (!url) throw new Error("E2E_ADMIN_URL is not set: run the tests with `playwright test`");
    await use(url);
  },
  apiUrl: async ({}, use) => {
    const url = process.env.E2E_API_URL;
    if (!url) throw new Error("E2E_API_URL is not set: run the tests with `playwright test`");
    await use(url);
  },
});

export { expect };
