import { expect, signInAs, test } from "./fixtures";

const partnerKey = "agp_dev_partner_key_0000000000000000000000000000";
// The Daraja sandbox pays any number other than its documented failure numbers at once.
const sandboxPaysNumber = "+254708374149";

type CreatedPayout = { id: string; status: string; amount: string; currency: string };

/** Schedules a payout as a partner would, over REST. */
async function createPayout(apiUrl: string, body: Record<string, unknown>): Promise<CreatedPayout> {
  const response = await fetch(`${apiUrl}/payouts`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": partnerKey },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  expect(response.ok, `POST /payouts answered ${response.status}: ${text}`).toBe(true);
  return JSON.parse(text) as CreatedPayout;
}

test("an operator runs the queued payouts: dry run, live progress to the end, paid, notified live", async ({
  page,
  context,
  apiUrl,
}, testInfo) => {
  test.setTimeout(360_000);
  const runId = `${Date.now()}`;
  // user_buyer1's demo deposit (KES 2,500.00) sits in their wallet. M-Pesa pays whole shillings.
  const created: CreatedPayout[] = [];
  for (const [index, amount] of [1_000, 1_500, 2_500].entries()) {
    created.push(
      await createPayout(apiUrl, {
        userId: "user_buyer1",
        amount,
        currency: "KES",
        destination: { type: "mpesa", account: sandboxPaysNumber },
        reference: `e2e-run-${runId}-${index}`,
      }),
    );
  }
  expect(created.map((p) => p.status)).toEqual(["queued", "queued", "queued"]);

  await signInAs(page, "operator");

  // The feed is open in another tab before the run: what it shows later arrived live.
  const feed = await context.newPage();
  await feed.goto("/notifications");
  await expect(feed.getByRole("heading", { level: 1, name: "Notifications" })).toBeVisible();
  await expect(feed.getByTestId("stream-state")).toHaveAttribute("data-state", "open");
  await feed.evaluate(() => {
    (window as unknown as { loadedOnce: boolean }).loadedOnce = true;
  });

  await page.goto("/payouts");
  await expect(page.getByRole("heading", { level: 1, name: "Payouts" })).toBeVisible();
  for (const payout of created) {
    await expect(page.locator(`tr[data-payout-id="${payout.id}"]`)).toHaveAttribute("data-status", "queued");
  }
  await expect(page.locator(`tr[data-payout-id="${created[0]!.id}"]`)).toContainText("KES 10.00");
  await page.screenshot({ path: testInfo.outputPath("payouts-list-queued.png"), fullPage: true });

  // What the server itself would run now (other specs may have queued payouts too).
  const dryRun = await page.request.post("/trpc/payouts.runPayouts", { data: { dryRun: true } });
  expect(dryRun.status()).toBe(200);
  const expected = ((await dryRun.json()) as { result: { data: { count: number } } }).result.data.count;
  expect(expected).toBeGreaterThanOrEqual(created.length);

  await page.getByRole("button", { name: "Run payouts", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Run payouts" });
  await expect(dialog.getByTestId("dry-run-count")).toHaveText(String(expected));
  await expect(dialog.getByRole("table", { name: "Totals per currency" })).toContainText("KES");
  await page.screenshot({ path: testInfo.outputPath("payouts-dry-run.png"), fullPage: true });

  await dialog.getByRole("button", { name: `Run ${expected} payouts` }).click();
  const progress = page.getByRole("progressbar", { name: "Payout run progress" });
  await expect(progress).toBeVisible();
  await expect(progress).toHaveAttribute("aria-valuemax", String(expected));
  await page.screenshot({ path: testInfo.outputPath("payouts-progress.png"), fullPage: true });
  // Paid as soon as the sandbox's result callback lands; should one be lost (or a request fail
  // and be retried with backoff), the worker settles it later, so the wait is generous.
  await expect(progress).toHaveAttribute("aria-valuenow", String(expected), { timeout: 180_000 });
  await expect(page.getByRole("dialog", { name: "Payout run finished" })).toBeVisible();
  await expect(page.getByTestId("run-queued")).toHaveText("0");
  const processed = Number(await page.getByTestId("run-processed").textContent());
  const failed = Number(await page.getByTestId("run-failed").textContent());
  expect(processed + failed).toBe(expected);
  expect(processed).toBeGreaterThanOrEqual(created.length);
  await expect(page.getByRole("status").filter({ hasText: "Run finished" })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath("payouts-run-finished.png"), fullPage: true });
  await page.getByRole("button", { name: "Close", exact: true }).last().click();

  for (const payout of created) {
    await expect(page.locator(`tr[data-payout-id="${payout.id}"]`)).toHaveAttribute("data-status", "paid");
  }
  await page.getByRole("combobox", { name: "Status" }).selectOption("paid");
  await expect(page.locator(`tr[data-payout-id="${created[2]!.id}"]`)).toContainText("KES 25.00");
  await page.screenshot({ path: testInfo.outputPath("payouts-list-paid.png"), fullPage: true });

  await page.getByRole("link", { name: created[0]!.id }).click();
  await expect(page).toHaveURL(new RegExp(`/payouts/${created[0]!.id}$`));
  const timeline = page.getByRole("list", { name: "Payout timeline" });
  await expect(timeline.locator('[data-step="paid"]')).toBeVisible();
  await expect(page.getByTestId("provider-reference")).not.toBeEmpty();
  await expect(page.getByRole("table", { name: "Ledger snapshot" })).toContainText("user:user_buyer1:wallet:KES");
  await page.screenshot({ path: testInfo.outputPath("payout-detail-timeline.png"), fullPage: true });

  // Each payout's "paid" notification reached the open feed without a reload.
  for (const payout of created) {
    await expect(feed.locator(`li[data-notification-type="payout.paid"][data-aggregate-id="${payout.id}"]`)).toBeVisible();
  }
  expect(await feed.evaluate(() => (window as unknown as { loadedOnce?: boolean }).loadedOnce)).toBe(true);
  await feed.screenshot({ path: testInfo.outputPath("notifications-live.png"), fullPage: true });

  // Mark read: the unread marker goes away for that notification.
  const first = feed.locator(`li[data-notification-type="payout.paid"][data-aggregate-id="${created[0]!.id}"]`);
  await first.getByRole("button", { name: /^Mark read: / }).click();
  await expect(first.getByRole("button", { name: /^Mark read: / })).toHaveCount(0);
});

test("an operator cancels a queued payout behind a confirmation that restates it", async ({ page, apiUrl }, testInfo) => {
  const payout = await createPayout(apiUrl, {
    userId: "user_buyer1",
    amount: 1_500,
    currency: "KES",
    destination: { type: "mpesa", account: sandboxPaysNumber },
    reference: `e2e-cancel-${Date.now()}`,
  });
  await signInAs(page, "operator");
  await page.goto("/payouts");
  const row = page.locator(`tr[data-payout-id="${payout.id}"]`);
  await expect(row).toHaveAttribute("data-status", "queued");
  await row.getByRole("button", { name: `Cancel payout ${payout.id}` }).click();
  const dialog = page.getByRole("dialog", { name: "Cancel this payout?" });
  await expect(dialog).toContainText("KES 15.00");
  await page.screenshot({ path: testInfo.outputPath("payout-cancel-dialog.png"), fullPage: true });
  await dialog.getByRole("button", { name: "Cancel payout and release the funds" }).click();
  await expect(row).toHaveAttribute("data-status", "cancelled");
});

test("a viewer sees the payouts but is offered no Run payouts, Retry or Cancel, also at tablet width", async ({
  page,
}, testInfo) => {
  await page.setViewportSize({ width: 768, height: 1024 });
  await signInAs(page, "viewer");
  const permissions = page.waitForResponse((response) => response.url().includes("auth.listPermissions"));
  await page.goto("/payouts");
  await permissions;
  await expect(page.getByRole("heading", { level: 1, name: "Payouts" })).toBeVisible();
  await expect(page.getByTestId("payouts-table")).toBeVisible();
  await expect(page.getByRole("button", { name: "Run payouts" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Export bank batch" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /^(Retry|Cancel) payout/ })).toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath("payouts-viewer-768.png"), fullPage: true });
});
