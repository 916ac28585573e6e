// Reconciliation of M-Pesa collections (#25 with #24): STK Push deposits, a paybill payment, money
// taken into suspense and returned by a reversal all go through the Daraja sandbox; its
// organisation statement for the period lists each as the portal does, and importing and
// committing it matches every line to its ledger movement.
import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { commitStatement, getDailyReconciliationReport, importStatement, listExceptions, resolveExceptions } from "@agrinet/domain";
import { afterAll, beforeAll, expect, test } from "vitest";
import { eventually, startCollectionsHarness, type CollectionsHarness } from "../testing/collections-harness";

let database: TestDatabase;
let harness: CollectionsHarness;

beforeAll(async () => {
  database = await createTestDatabase();
  harness = await startCollectionsHarness({ db: database.db, databaseUrl: database.url, stkTimeoutMs: 200, stkMaxQueries: 3 });
});
afterAll(async () => {
  await harness?.stop();
  await database?.drop();
});

async function stkDeposit(phoneNumber: string, amount: number, reference: string) {
  const created = await harness.caller().deposits.create({ userId: "user_recon_stk", amount, currency: "KES", method: "mpesa", reference, phoneNumber });
  return eventually(async () => {
    const deposit = await harness.db.deposit.findUniqueOrThrow({ where: { id: created.id }, include: { mpesaPayment: true } });
    return deposit.status !== "pending" ? deposit : undefined;
  });
}

async function paybill(billRefNumber: string, amount: number) {
  const token = await fetch(`${harness.sandbox.url}/oauth/v1/generate?grant_type=client_credentials`, {
    headers: { authorization: `Basic ${Buffer.from("k:s").toString("base64")}` },
  }).then((r) => r.json() as Promise<{ access_token: string }>);
  const response = await fetch(`${harness.sandbox.url}/mpesa/c2b/v1/simulate`, {
    method: "POST",
    headers: { authorization: `Bearer ${token.access_token}`, "content-type": "application/json" },
    body: JSON.stringify({ ShortCode: "600996", CommandID: "CustomerPayBillOnline", Amount: amount, Msisdn: "254712345678", BillRefNumber: billRefNumber }),
  });
  expect(response.status).toBe(200);
  const paid = await eventually(async () => harness.sandbox.c2bPayments().find((p) => p.billRefNumber === billRefNumber && p.amount === amount));
  return eventually(async () => {
    const row = await harness.db.mpesaPayment.findUnique({ where: { receipt: paid.transId }, include: { deposit: true } });
    return row?.deposit?.status === "confirmed" ? row : undefined;
  });
}

test("STK deposits, a paybill payment, suspense and its reversal: the sandbox's statement lists each and every line matches", async () => {
  const from = new Date(Date.now() - 60_000).toISOString();

  const confirmed = await stkDeposit("+254712345678", 150_000, "recon-stk-1");
  expect(confirmed.status).toBe("confirmed");
  const intoSuspense = await stkDeposit("+254700000018", 200_000, "recon-stk-2");
  expect(intoSuspense.mpesaPayment).toMatchObject({ exception: "open", amount: 199_900n });
  const returnedToo = await stkDeposit("+254700000018", 300_000, "recon-stk-3");
  await harness.caller().mpesa.returnUnmatched({ paymentId: returnedToo.mpesaPayment!.id });
  await eventually(async () => {
    const row = await harness.db.mpesaPayment.findUniqueOrThrow({ where: { id: returnedToo.mpesaPayment!.id } });
    return row.exception === "returned" ? row : undefined;
  });
  const account = await harness.caller().mpesa.paybillAccount({ userId: "user_recon_c2b" });
  const c2b = await paybill(account.accountNumber, 2_500);

  const to = new Date(Date.now() + 60_000).toISOString();
  const csv = await fetch(`${harness.sandbox.url}/__sandbox/statement.csv?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`).then((r) => r.text());
  const receipts = [confirmed.mpesaPayment!.receipt!, intoSuspense.mpesaPayment!.receipt!, returnedToo.mpesaPayment!.receipt!, c2b.receipt!];
  for (const receipt of receipts) expect(csv).toContain(`${receipt},`);
  const reversal = harness.sandbox.reversals().find((r) => r.transactionId === returnedToo.mpesaPayment!.receipt);
  expect(reversal?.resultCode).toBe(0);

  const preview = await importStatement({ db: harness.db, source: "mpesa", bytes: Buffer.from(csv), fileName: "statement.csv", uploadedBy: "staff:test" });
  // Four collections paid in and the reversal withdrawn.
  expect(preview).toMatchObject({ rowsParsed: 5, refusedRows: [] });
  expect(preview.totals).toEqual([{ currency: "KES", moneyIn: 150_000n + 199_900n + 299_900n + 250_000n, moneyOut: 299_900n, rows: 5 }]);

  const committed = await commitStatement({ db: harness.db, statementId: preview.id, actor: "staff:test" });
  expect(committed.run).toMatchObject({ matched: 5, unmatchedLines: 0, unmatchedMovements: 0, exceptionsNew: 0 });
  // Every line matched; what stays open is the money in suspense, shown from collections' queue
  // (the returned payment's row is resolved by its return).
  const open = await listExceptions(harness.db, { source: "mpesa", status: "open", limit: 50 });
  expect(open.map((e) => [e.kind, e.reference, e.statementAmount, e.mpesaPaymentId])).toEqual([
    ["unmatched_payment", intoSuspense.mpesaPayment!.receipt, 199_900n, intoSuspense.mpesaPayment!.id],
  ]);
  // The queue staff read lists it too, naming the payment to work in collections.
  const queue = await harness.caller().reconciliation.listExceptions({ source: "mpesa", status: "open" });
  expect(queue.items.map((e) => [e.kind, e.mpesaPaymentId])).toEqual([["unmatched_payment", intoSuspense.mpesaPayment!.id]]);
  const [returnedRow] = await listExceptions(harness.db, { source: "mpesa", kind: "unmatched_payment", reference: returnedToo.mpesaPayment!.receipt!, limit: 5 });
  expect(returnedRow).toMatchObject({ status: "resolved", resolution: "returned" });

  // It leaves suspense only through collections: explaining it here is refused...
  await expect(
    resolveExceptions({ db: harness.db, exceptionIds: [open[0]!.id], resolution: { action: "explain", reason: "looks fine" }, actor: "staff:test" }),
  ).rejects.toMatchObject({ code: "INVALID_STATE" });
  // ...and assigning it there resolves it here, in the same transaction.
  await harness.caller().mpesa.assignUnmatched({ paymentId: intoSuspense.mpesaPayment!.id, userId: "user_recon_stk" });
  expect(await listExceptions(harness.db, { source: "mpesa", status: "open", limit: 50 })).toEqual([]);
  const [assigned] = await listExceptions(harness.db, { source: "mpesa", kind: "unmatched_payment", reference: intoSuspense.mpesaPayment!.receipt!, limit: 5 });
  expect(assigned).toMatchObject({ status: "resolved", resolution: "assigned" });

  // The day's balances: the clearing account holds what the collections brought in (provider
  // side); the statement's closing also holds the working account's float, which the ledger
  // never saw, and nothing else.
  const report = await getDailyReconciliationReport({ db: harness.db, source: "mpesa", from: new Date(Date.now() - 86_400_000), to: new Date(Date.now() + 86_400_000) });
  const net = 150_000n + 199_900n + 299_900n + 250_000n - 299_900n;
  const today = report.at(-1)!;
  expect(today).toMatchObject({ currency: "KES", ledgerNet: net, ledgerClosing: net, unexplainedDifference: 0n });
  expect(today.closing! - today.opening!).toBe(net);
  expect(today.closingDifference).toBe(today.opening);
});
