import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { expect, signInAs, test } from "./fixtures";

const partnerKey = "agp_dev_partner_key_0000000000000000000000000000";
// The Daraja sandbox refuses this number with ResultCode 2040 ("not registered"), the longest
// failure text a payouts row carries.
const sandboxRefusesNumber = "+254700000002";

/** Every page of the dashboard; detail pages are found by following the first row of a list. */
const listPages = [
  "/",
  "/deposits",
  "/mpesa/unmatched",
  "/payouts",
  "/payouts/runs",
  "/ledger",
  "/ledger/accounts",
  "/contracts",
  "/notifications",
  "/settlements",
  "/reconciliation",
  "/partners",
  "/api-keys",
  "/audit-log",
  "/staff",
  "/status",
  "/users/user_prod7",
  "/search?q=user_buyer1",
];
const detailPages = [
  // Deposit and payout ids, not the "Export CSV" and "Past runs" links beside the lists.
  { list: "/deposits", prefix: "/deposits/dep_" },
  { list: "/payouts", prefix: "/payouts/po_" },
  { list: "/payouts/runs", prefix: "/payouts/runs/" },
  { list: "/contracts", prefix: "/contracts/" },
  { list: "/ledger/accounts", prefix: "/ledger/accounts/" },
];
const widths = [1440, 768, 390];

async function settle(page: Page) {
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  // Lists load after the shell: wait until no loading placeholder is left.
  await expect(page.locator('[aria-busy="true"], [role="status"]:has-text("Loading")')).toHaveCount(0);
}

async function allPages(page: Page): Promise<string[]> {
  const pages = [...listPages];
  for (const { list, prefix } of detailPages) {
    await page.goto(list);
    const link = page.locator(`main a[href^="${prefix}"]`).first();
    await expect(link).toBeVisible();
    pages.push((await link.getAttribute("href"))!);
  }
  return pages;
}

test.beforeAll(async ({ browser }) => {
  // A failed M-Pesa payout, so the payouts table carries failure text and a Retry action.
  const apiUrl = process.env.E2E_API_URL!;
  const response = await fetch(`${apiUrl}/payouts`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": partnerKey },
    body: JSON.stringify({
      userId: "user_prod7",
      amount: 1_000,
      currency: "KES",
      destination: { type: "mpesa", account: sandboxRefusesNumber },
      reference: `e2e-layout-${Date.now()}`,
    }),
  });
  expect(response.ok, await response.text()).toBe(true);
  const page = await browser.newPage({ baseURL: process.env.E2E_ADMIN_URL });
  await signInAs(page, "admin");
  const run = await page.request.post("/trpc/payouts.runPayouts", { data: {} });
  expect(run.ok(), await run.text()).toBe(true);
  await page.close();
});

test("every page fits 1,440, 768 and 390 px windows without sideways scrolling, actions in view", async ({ page }, testInfo) => {
  test.setTimeout(600_000);
  await signInAs(page, "admin");
  await page.goto("/payouts");
  await expect(page.locator('tr[data-status="failed"]').first()).toBeVisible();

  for (const path of await allPages(page)) {
    for (const width of widths) {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(path);
      await settle(page);
      const { scrollWidth, innerWidth } = await page.evaluate(() => ({
        scrollWidth: document.scrollingElement!.scrollWidth,
        innerWidth: window.innerWidth,
      }));
      expect(scrollWidth, `${path} at ${width} px scrolls sideways`).toBeLessThanOrEqual(innerWidth);

      // At 1,440 px every row action (Retry, Cancel, Revoke, …) lies inside the window, not off
      // to the right; narrower windows scroll the table itself, never the page.
      if (width !== 1440) continue;
      for (const action of await page.locator("main table button:visible").all()) {
        const box = await action.boundingBox();
        expect(box, `${path} at ${width} px: an action has no box`).not.toBeNull();
        expect(box!.x, `${path} at ${width} px: ${await action.textContent()} starts off screen`).toBeGreaterThanOrEqual(0);
        expect(box!.x + box!.width, `${path} at ${width} px: ${await action.textContent()} ends off screen`).toBeLessThanOrEqual(width);
      }
    }
    await page.screenshot({ path: testInfo.outputPath(`${path.replace(/[^a-z0-9]+/gi, "-")}-390.png`), fullPage: true });
  }
});

test("at 390 px a menu reaches every section", async ({ page }) => {
  await signInAs(page, "admin");
  await page.setViewportSize({ width: 390, height: 844 });
  const menu = page.getByRole("button", { name: "Menu" });
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav).toBeHidden();
  for (const label of ["Deposits", "Payouts", "Ledger", "Contracts", "Notifications", "Settlements", "API keys", "Audit log", "Staff", "System status", "Overview"]) {
    await menu.click();
    await nav.getByRole("link", { name: label, exact: true }).click();
    await expect(page.getByRole("heading", { level: 1, name: label })).toBeVisible();
    // Following a link closes the menu again.
    await expect(nav).toBeHidden();
  }
});

test("a viewer's navigation lists only the sections a viewer may open", async ({ page }) => {
  await signInAs(page, "viewer");
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "Deposits", exact: true })).toBeVisible();
  for (const adminOnly of ["API keys", "Audit log", "Staff"]) {
    await expect(nav.getByRole("link", { name: adminOnly, exact: true })).toHaveCount(0);
  }
});

test("axe-core finds no serious or critical violation on any page", async ({ page }) => {
  test.setTimeout(600_000);
  await signInAs(page, "admin");
  const found: string[] = [];
  for (const path of await allPages(page)) {
    await page.goto(path);
    await settle(page);
    const results = await new AxeBuilder({ page }).analyze();
    for (const violation of results.violations) {
      if (violation.impact === "serious" || violation.impact === "critical") {
        found.push(`${path}: ${violation.id} (${violation.impact}) at ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`);
      }
    }
  }
  expect(found).toEqual([]);
});
