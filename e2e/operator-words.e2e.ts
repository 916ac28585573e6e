import { expect, signInAs, test } from "./fixtures";

const partnerKey = "agp_dev_partner_key_0000000000000000000000000000";
// The Daraja sandbox refuses this number with ResultCode 2040 (not registered for M-Pesa).
const sandboxRefusesNumber = "+254700000002";
// "7 Dec 2026, 14:05:09 UTC": the one date-time format, always with its time zone.
const dateTimeFormat = /^\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}:\d{2} \S+$/;

test("payouts speak plainly: reasons not codes, users linked to their page, names not ids, one date format", async ({ page, apiUrl }, testInfo) => {
  test.setTimeout(180_000);
  const response = await fetch(`${apiUrl}/payouts`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": partnerKey },
    body: JSON.stringify({
      userId: "user_prod7",
      amount: 1_000,
      currency: "KES",
      destination: { type: "mpesa", account: sandboxRefusesNumber },
      reference: `e2e-words-${Date.now()}`,
    }),
  });
  const payout = (await response.json()) as { id: string };
  expect(response.ok).toBe(true);

  await signInAs(page, "admin");
  const run = await page.request.post("/trpc/payouts.runPayouts", { data: {} });
  expect(run.ok(), await run.text()).toBe(true);

  await page.goto("/payouts");
  const row = page.locator(`tr[data-payout-id="${payout.id}"]`);
  await expect(row).toHaveAttribute("data-status", "failed");
  // The plain reason leads; the provider's code and text wait in a detail.
  await expect(row.getByTestId("failure-reason")).toContainText("not registered for M-Pesa");
  await expect(row.getByText("Provider answer (MPESA_2040)")).toBeVisible();
  await expect(row.getByText(/Credit Party customer type/)).toBeHidden();
  await expect(row.locator("time")).toHaveText(dateTimeFormat);

  // Retry says exactly what it will do, and to where.
  await row.getByRole("button", { name: `Retry payout ${payout.id}` }).click();
  await expect(page.getByTestId("retry-plan")).toContainText(`sent again now to M-Pesa ${sandboxRefusesNumber}`);
  await page.getByRole("button", { name: "Cancel", exact: true }).click();

  // Global search: "/" focuses the header box from anywhere; one exact match opens its page.
  await page.goto("/deposits");
  await page.locator("body").press("/");
  await expect(page.getByRole("searchbox", { name: /^Search deposits/ })).toBeFocused();
  await page.keyboard.type(payout.id);
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(new RegExp(`/payouts/${payout.id}$`));

  // The detail page: no job number, the user linked.
  await page.goto(`/payouts/${payout.id}`);
  await expect(page.getByTestId("failure-reason").first()).toContainText("not registered for M-Pesa");
  await expect(page.getByRole("main")).not.toContainText(/\bJob\b/);
  await page.getByRole("main").getByTestId("user-link").first().click();
  await expect(page).toHaveURL(/\/users\/user_prod7$/);
  await expect(page.getByRole("heading", { level: 1, name: "User user_prod7" })).toBeVisible();
  await expect(page.getByTestId("user-balances")).toContainText("KES");
  await expect(page.getByTestId("user-payouts").locator("a", { hasText: payout.id })).toBeVisible();
  await expect(page.getByTestId("user-destinations")).toContainText(sandboxRefusesNumber);
  await expect(page.getByTestId("user-contracts")).toContainText("contract_45ab");
  await page.screenshot({ path: testInfo.outputPath("user-page.png"), fullPage: true });

  // The audit log names staff by name.
  await page.goto("/audit-log");
  const auditRow = page.getByTestId("audit-row").first();
  await expect(auditRow.getByTestId("actor-name")).toHaveText("Demo admin");
  await expect(page.getByTestId("audit-row").filter({ hasText: /staff:|partner:/ })).toHaveCount(0);
});

test("an unknown payout id reads as not found, without an error envelope or a pointless retry", async ({ page }) => {
  await signInAs(page, "viewer");
  await page.goto("/payouts/po_000000000000000000000000");
  await expect(page.getByTestId("not-found")).toContainText("We could not find this payout.");
  await expect(page.getByRole("button", { name: "Try again" })).toHaveCount(0);
  await expect(page.getByRole("main")).not.toContainText("NOT_FOUND");
});
