import type { Page } from "@playwright/test";
import { expect, signInAs, test } from "./fixtures";

// Seeded by `pnpm start` (packages/domain/src/demo/seed-demo-deposits.ts): pending, KES 750.00
// into user_buyer2's wallet.
const pendingDeposit = { reference: "DEMO-MPESA-0003", amount: 75000n, account: "user:user_buyer2:wallet:KES" };

// A valid 1×1 PNG: the upload route decides the type from the bytes.
const onePixelPng = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);

// Whole flows through a production build on a shared 2-core machine: generous, not tight.
test.describe.configure({ timeout: 180_000 });

async function walletTotalKes(page: Page): Promise<bigint> {
  const cell = page.getByTestId("balance-KES-wallets").locator("[data-minor-units]").first();
  await expect(cell).toBeVisible();
  return BigInt((await cell.getAttribute("data-minor-units")) ?? "NaN");
}

test("an operator confirms a seeded pending deposit and the overview's KES wallet total rises by exactly its amount", async ({
  page,
}, testInfo) => {
  await signInAs(page, "operator");
  await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
  await expect(page.getByTestId("status-database")).toHaveAttribute("data-state", "ok");
  const before = await walletTotalKes(page);
  await expect(page.getByRole("img", { name: /Bar chart of \w{3} volume per day/ })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath("overview.png"), fullPage: true });

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Deposits", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Deposits" })).toBeVisible();
  await page.getByLabel("Status").selectOption("pending");
  await page.locator("#deposit-search").fill(pendingDeposit.reference);
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/status=pending/);
  const rows = page.getByTestId("deposit-row");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("KES 750.00");
  await page.screenshot({ path: testInfo.outputPath("deposits-list.png"), fullPage: true });

  await rows.first().getByRole("link", { name: pendingDeposit.reference }).click();
  await expect(page.getByRole("heading", { level: 1, name: `Deposit ${pendingDeposit.reference}` })).toBeVisible();
  await expect(page.getByTestId("deposit-status")).toHaveText("pending");

  // Confirming without evidence is refused in the page, before anything is sent.
  await page.getByRole("button", { name: "Confirm deposit…" }).click();
  await expect(page.getByRole("main").getByRole("alert")).toContainText("Upload a receipt or give an evidence URL");

  await page.getByLabel(/^Receipt/).setInputFiles({ name: "receipt.png", mimeType: "image/png", buffer: onePixelPng });
  await expect(page.getByTestId("receipt-uploaded")).toContainText("image/png");
  await page.screenshot({ path: testInfo.outputPath("deposit-detail.png"), fullPage: true });

  await page.getByRole("button", { name: "Confirm deposit…" }).click();
  const dialog = page.getByRole("dialog", { name: "Confirm this deposit?" });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText("KES 750.00");
  await expect(dialog).toContainText(pendingDeposit.account);
  await page.screenshot({ path: testInfo.outputPath("confirm-dialog.png"), fullPage: true });
  await dialog.getByRole("button", { name: "Confirm KES deposit" }).click();

  await expect(dialog).toBeHidden();
  await expect(page.getByTestId("deposit-status")).toHaveText("confirmed");
  await expect(page.getByRole("img", { name: `Receipt for deposit ${pendingDeposit.reference}` })).toBeVisible();
  await expect(page.getByRole("button", { name: "Confirm deposit…" })).toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath("deposit-confirmed.png"), fullPage: true });

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Overview", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
  await expect.poll(() => walletTotalKes(page)).toBe(before + pendingDeposit.amount);
});

test("a viewer sees the deposit queue and a deposit's details but is offered no Confirm or Fail", async ({
  page,
}, testInfo) => {
  await signInAs(page, "viewer");
  await page.setViewportSize({ width: 768, height: 1024 });
  // The shell asks for the caller's permissions once per page load (the navigation shows only
  // what the role may use); the detail page reuses that answer.
  const permissions = page.waitForResponse((response) => response.url().includes("auth.listPermissions"));
  await page.goto("/deposits?status=pending");
  await expect(page.getByTestId("deposit-row").first()).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath("deposits-list-viewer-768.png"), fullPage: true });

  await page.getByTestId("deposit-row").first().getByRole("link").first().click();
  await expect(page.getByTestId("deposit-status")).toHaveText("pending");
  expect((await permissions).status()).toBe(200);
  await expect(page.getByRole("button", { name: /Confirm/ })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /Fail/ })).toHaveCount(0);
  await expect(page.getByLabel(/^Receipt/)).toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath("deposit-detail-viewer.png"), fullPage: true });
});

test("signing out ends the session on the API, and staff pages then lead to sign-in", async ({ page, context }) => {
  await signInAs(page, "operator");
  const sessionCookies = await context.cookies();

  await page.getByRole("group", { name: "Signed in" }).getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await expect(page.getByRole("link", { name: "Sign in", exact: true })).toBeVisible();
  expect((await page.request.get("/trpc/auth.me")).status()).toBe(401);

  // Without a cookie a staff page redirects before rendering.
  await page.goto("/deposits");
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fdeposits$/);

  // The old cookie, put back, is dead on the API too (the session row is gone, not only the
  // cookie); the page it opens notices the 401 and leads to sign-in.
  await context.addCookies(sessionCookies);
  expect((await page.request.get("/trpc/auth.me")).status()).toBe(401);
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in\?next=%2F$/);
  await expect(page.getByRole("link", { name: "Sign in", exact: true })).toBeVisible();
});

test("the deposit queue sorts by amount, status and creation time, either way, and its pages follow the order", async ({ page }) => {
  await signInAs(page, "viewer");
  await page.goto("/deposits?currency=KES");
  const rows = page.getByTestId("deposit-row");
  await expect(rows.first()).toBeVisible();
  const column = (name: string) => rows.evaluateAll((trs, attribute) => trs.map((tr) => tr.getAttribute(attribute)!), name);
  const statusRank = (status: string) => ["pending", "confirmed", "failed"].indexOf(status);
  const inOrder = <T,>(list: T[], compare: (a: T, b: T) => number) => list.every((value, i) => i === 0 || compare(list[i - 1]!, value) <= 0);
  const byAmount = (direction: 1 | -1) => (a: string, b: string) => direction * (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);
  const list = page.locator("#deposit-list");
  const settled = () => expect(page.getByRole("table", { name: "Deposits" })).not.toHaveAttribute("aria-busy", "true");

  const amountHeader = page.getByRole("columnheader", { name: /Amount/ });
  await amountHeader.getByRole("button").click();
  await expect(page).toHaveURL(/sort=amount&dir=desc/);
  await expect(amountHeader).toHaveAttribute("aria-sort", "descending");
  await expect(list).toContainText("largest first");
  await settled();
  await expect.poll(async () => inOrder(await column("data-amount"), byAmount(-1))).toBe(true);
  // The next page continues the order: nothing on it is larger than the last of this one.
  const lastOfFirst = (await column("data-amount")).at(-1)!;
  const next = page.getByRole("button", { name: "Next" });
  if (await next.isEnabled()) {
    await next.click();
    await settled();
    await expect.poll(async () => (await column("data-amount")).every((amount) => BigInt(amount) <= BigInt(lastOfFirst))).toBe(true);
  }

  await amountHeader.getByRole("button").click();
  await expect(page).toHaveURL(/sort=amount&dir=asc/);
  await expect(list).toContainText("smallest first");
  await settled();
  await expect.poll(async () => inOrder(await column("data-amount"), byAmount(1))).toBe(true);

  const statusHeader = page.getByRole("columnheader", { name: /Status/ });
  await statusHeader.getByRole("button").click();
  await expect(statusHeader).toHaveAttribute("aria-sort", "descending");
  await expect(amountHeader).toHaveAttribute("aria-sort", "none");
  await settled();
  await expect.poll(async () => inOrder(await column("data-status"), (a, b) => statusRank(b) - statusRank(a))).toBe(true);

  // The filters keep the order, and the order survives applying them.
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/sort=status&dir=desc/);

  const createdHeader = page.getByRole("columnheader", { name: /Created/ });
  await createdHeader.getByRole("button").click();
  await createdHeader.getByRole("button").click();
  await expect(createdHeader).toHaveAttribute("aria-sort", "ascending");
  await expect(list).toContainText("oldest first");
  await settled();
  await expect.poll(async () => inOrder(await column("data-created-at"), (a, b) => Date.parse(a) - Date.parse(b))).toBe(true);
});
