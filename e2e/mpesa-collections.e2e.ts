import { randomBytes } from "node:crypto";
import { expect, signInAs, test } from "./fixtures";

// M-Pesa collections through the stack `pnpm start` runs: its Daraja sandbox plays the payers
// (README's STK test numbers) and the paybill's customers; MPESA_C2B_UNKNOWN_ACCOUNTS=suspense.
const partnerKey = "agp_dev_partner_key_0000000000000000000000000000";
const run = randomBytes(3).toString("hex");

test.describe.configure({ timeout: 180_000 });

async function stkDeposit(apiUrl: string, reference: string, phoneNumber: string, amount: number) {
  const response = await fetch(`${apiUrl}/deposit`, {
    method: "POST",
    headers: { "x-api-key": partnerKey, "content-type": "application/json" },
    body: JSON.stringify({ userId: "user_buyer1", amount, currency: "KES", method: "mpesa", reference, phoneNumber }),
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { status: string; nextAction: { type: string } | null };
  expect(body).toMatchObject({ status: "pending", nextAction: { type: "mpesa_stk_push" } });
}

test("the deposits list follows STK Pushes live: one paid and confirmed, one still awaiting the payer's PIN", async ({ page, apiUrl }, testInfo) => {
  await signInAs(page, "operator");
  // +254700000015 pays but M-Pesa never calls back: awaiting PIN until the worker's STK Query.
  await stkDeposit(apiUrl, `e2e-stk-${run}-waiting`, "+254700000015", 120_000);
  await page.goto(`/deposits?q=e2e-stk-${run}`);
  const waiting = page.locator(`[data-testid="deposit-row"][data-reference="e2e-stk-${run}-waiting"]`);
  await expect(waiting.getByTestId("stk-state")).toHaveAttribute("data-state", "sent");
  await expect(waiting.getByTestId("stk-state")).toHaveText("STK: awaiting PIN");

  // A paying number, created while the page is open: the row appears and settles without a reload.
  await stkDeposit(apiUrl, `e2e-stk-${run}-paid`, "+254712345678", 150_000);
  const paid = page.locator(`[data-testid="deposit-row"][data-reference="e2e-stk-${run}-paid"]`);
  await expect(paid.getByTestId("stk-state")).toHaveText("STK: paid", { timeout: 30_000 });
  await expect(paid).toContainText("confirmed");
  await expect(paid).toContainText("KES 1,500.00");
  await page.screenshot({ path: testInfo.outputPath("deposits-stk.png"), fullPage: true });

  await paid.getByRole("link", { name: `e2e-stk-${run}-paid` }).click();
  const panel = page.getByTestId("mpesa-payment");
  await expect(panel).toContainText("paid");
  await expect(panel).toContainText(/[A-Z0-9]{10}/);
});

/** A customer paying the paybill through the sandbox, naming an account nobody has: suspense. */
async function payUnknownAccount(account: string, amount: number, msisdn: string) {
  const sandboxUrl = process.env.E2E_SANDBOX_URL!;
  const token = (await (
    await fetch(`${sandboxUrl}/oauth/v1/generate?grant_type=client_credentials`, { headers: { authorization: `Basic ${Buffer.from("any:any").toString("base64")}` } })
  ).json()) as { access_token: string };
  const simulated = await fetch(`${sandboxUrl}/mpesa/c2b/v1/simulate`, {
    method: "POST",
    headers: { authorization: `Bearer ${token.access_token}`, "content-type": "application/json" },
    body: JSON.stringify({ ShortCode: "600996", CommandID: "CustomerPayBillOnline", Amount: amount, Msisdn: msisdn, BillRefNumber: account }),
  });
  expect(simulated.status).toBe(200);
}

test("an unmatched paybill payment lands in the staff queue; assigning it restates amount and party, then credits the user once", async ({ page }, testInfo) => {
  const account = `NOSUCH${run}`.slice(0, 12).toUpperCase();
  await payUnknownAccount(account, 730, "254712345678");

  await signInAs(page, "operator");
  await page.goto("/mpesa/unmatched");
  const row = page.getByTestId("unmatched-row").filter({ hasText: account });
  await expect(row).toHaveCount(1, { timeout: 30_000 });
  await expect(row).toContainText("KES 730.00");
  await expect(row).toContainText("open");

  await row.getByRole("button", { name: "Assign…" }).click();
  const choose = page.getByRole("dialog", { name: "Assign this payment to…" });
  await choose.getByLabel("User id").fill("user_buyer2");
  await choose.getByRole("button", { name: "Review" }).click();
  const confirm = page.getByRole("dialog", { name: "Assign this payment?" });
  await expect(confirm).toContainText("KES 730.00");
  await expect(confirm).toContainText("user:user_buyer2:wallet:KES");
  await expect(confirm).toContainText("suspense:mpesa:KES");
  await page.screenshot({ path: testInfo.outputPath("unmatched-assign.png"), fullPage: true });
  await confirm.getByRole("button", { name: "Assign KES payment to user_buyer2" }).click();
  await expect(confirm).toBeHidden();
  // Assigned: no longer open, nothing left to act on (the queue shows open payments by default).
  await expect(row.getByRole("button", { name: "Assign…" })).toHaveCount(0);
  await page.getByLabel("Show").selectOption("assigned");
  await expect(page.getByTestId("unmatched-row").filter({ hasText: account })).toContainText("assigned");
});

test("returning an unmatched payment restates amount, payer and receipt, then the row follows the reversal to returned", async ({ page }, testInfo) => {
  const account = `NORET${run}`.slice(0, 12).toUpperCase();
  await payUnknownAccount(account, 415, "254712340099");

  await signInAs(page, "operator");
  await page.goto("/mpesa/unmatched");
  const row = page.getByTestId("unmatched-row").filter({ hasText: account });
  await expect(row).toHaveCount(1, { timeout: 30_000 });
  await expect(row).toContainText("KES 415.00");
  await expect(row).toContainText("open");
  const receipt = await row.getAttribute("data-receipt");
  expect(receipt).toMatch(/^[A-Z0-9]{10}$/);

  await row.getByRole("button", { name: "Return…" }).click();
  const confirm = page.getByRole("dialog", { name: "Return this payment to the payer?" });
  await expect(confirm).toContainText("KES 415.00");
  await expect(confirm).toContainText("254712340099");
  await expect(confirm).toContainText(receipt!);
  await expect(confirm).toContainText("M-Pesa Transaction Reversal");
  await page.screenshot({ path: testInfo.outputPath("unmatched-return.png"), fullPage: true });
  // Cancelling changes nothing: the payment is still open, with its actions.
  await confirm.getByRole("button", { name: "Cancel" }).click();
  await expect(confirm).toBeHidden();
  await expect(row).toContainText("open");

  await row.getByRole("button", { name: "Return…" }).click();
  await confirm.getByRole("button", { name: /^Return KES to .*254712340099$/ }).click();
  await expect(confirm).toBeHidden();
  // No longer open: nothing left to act on in the default view.
  await expect(row.getByRole("button", { name: "Return…" })).toHaveCount(0);
  await page.getByLabel("Show").selectOption("all");
  const returned = page.getByTestId("unmatched-row").filter({ hasText: account });
  // returning until the sandbox's reversal result arrives (it may beat the list's refresh).
  await expect(returned).toContainText(/returning|returned/);
  await expect(returned.getByTestId("unmatched-status")).toHaveText("returned", { timeout: 30_000 });
  await expect(returned.getByRole("button")).toHaveCount(0);
});
