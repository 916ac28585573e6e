import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { externalAccount, getAccountBalance, postLedgerTransaction, userWalletAccount, verifyLedger } from "../ledger";
import { recordWorkerHeartbeat } from "../system/system-status";
import { createPayout } from "./create-payout";
import { readCallbackPayouts, type CallbackPayout } from "@agrinet/stores/payouts";
import { handleMpesaStatusResult } from "./handle-mpesa-callback";
import { createPayoutRuntime } from "./payout-runtime";
import { markPayoutFailed } from "./payout-transitions";
import { listExceptions } from "@agrinet/stores/reconciliation";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  await recordWorkerHeartbeat({ db: database.db, workerId: "test-worker", hostname: "test", pid: 1 });
});

afterAll(async () => {
  await database?.drop();
});

async function processingPayout(userId: string) {
  const db = database.db;
  await postLedgerTransaction(db, {
    idempotencyKey: `fund:${userId}`,
    kind: "deposit",
    postings: [
      { account: externalAccount("mpesa", "KES"), amount: -10_000n, currency: "KES" },
      { account: userWalletAccount(userId, "KES"), amount: 10_000n, currency: "KES" },
    ],
  });
  const payout = await createPayout({
    db,
    input: { userId, amount: 1000n, currency: "KES", destination: { type: "mpesa", account: "+254711000001" } },
    minAmount: 500n,
    maxAttempts: 5,
  });
  await db.$executeRaw`update payouts set status = 'processing' where id = ${payout.id}`;
  return payout.id;
}

/** The transaction-status answer as Daraja posts it (the sandbox's shape). */
const statusResult = (payoutId: string, amount: number | string, receipt = `RCPT${payoutId.slice(-6)}`) => ({
  Result: {
    ResultType: 0,
    ResultCode: 0,
    ResultDesc: "The service request is processed successfully.",
    OriginatorConversationID: `query_${payoutId}`,
    ConversationID: `AG_${payoutId}`,
    TransactionID: receipt,
    ResultParameters: {
      ResultParameter: [
        { Key: "ReceiptNo", Value: receipt },
        { Key: "OriginatorConversationID", Value: payoutId },
        { Key: "Amount", Value: amount },
        { Key: "TransactionStatus", Value: "Completed" },
      ],
    },
  },
});

describe("M-Pesa status callbacks", () => {
  test("a Completed answer settles without reading the payout first; the amount, a final status and an unknown id are checked under the settlement's lock", async () => {
    const db = database.db;
    const [ok, wrongAmount, failed] = [
      await processingPayout("user_status_ok"),
      await processingPayout("user_status_wrong"),
      await processingPayout("user_status_failed"),
    ];
    await markPayoutFailed(db, { payoutId: failed, error: "gave up" });
    const reads: string[] = [];
    const runtime = {
      ...createPayoutRuntime({ db, rails: {}, statusCheckAfterMs: 5_000 }),
      readPayout: async (id: string): Promise<CallbackPayout | null> => {
        reads.push(id);
        return (await readCallbackPayouts(db.$pool, [id])).get(id) ?? null;
      },
    };
    const handle = (payoutId: string, body: unknown) => handleMpesaStatusResult({ runtime, body, providerKey: payoutId, maxAttempts: 5 });

    // 1000 minor units of KES: M-Pesa reports 10 shillings.
    expect(await handle(ok, statusResult(ok, 10))).toEqual({ payoutId: ok, action: "settled" });
    expect(await handle(ok, statusResult(ok, 10))).toEqual({ payoutId: ok, action: "already-final" });
    expect(await handle(wrongAmount, statusResult(wrongAmount, 1000, "FORGED"))).toEqual({ payoutId: wrongAmount, action: "waiting" });
    expect(await handle(failed, statusResult(failed, 10))).toEqual({ payoutId: failed, action: "already-final" });
    expect(await handle("po_unknown", statusResult("po_unknown", 10))).toEqual({ payoutId: null, action: "unknown-payout" });
    expect(reads).toEqual([]);

    // A fractional amount is no whole-unit claim: the reading path decides (a mismatch, here).
    expect(await handle(wrongAmount, statusResult(wrongAmount, "10.5", "FRACTION"))).toEqual({ payoutId: wrongAmount, action: "waiting" });
    expect(reads).toEqual([wrongAmount]);

    const rows = new Map((await db.payout.findMany({ where: { id: { in: [ok, wrongAmount, failed] } } })).map((p) => [p.id, p]));
    expect(rows.get(ok)).toMatchObject({ status: "paid", providerReference: `RCPT${ok.slice(-6)}` });
    expect(rows.get(wrongAmount)).toMatchObject({ status: "processing" });
    expect(rows.get(wrongAmount)!.lastError).toMatch(/receipt FRACTION for 10\.5, not this payout's amount/);
    expect(rows.get(failed)).toMatchObject({ status: "failed", lastError: "gave up" });
    expect(await db.domainEvent.count({ where: { aggregateId: failed, type: "payout.reconciliation_needed" } })).toBe(0);
    expect(await getAccountBalance(db, { account: userWalletAccount("user_status_ok", "KES") })).toMatchObject({ posted: 9_000n, held: 0n });
    expect(await getAccountBalance(db, { account: userWalletAccount("user_status_wrong", "KES") })).toMatchObject({ posted: 10_000n, held: 1_000n });
    expect(await getAccountBalance(db, { account: userWalletAccount("user_status_failed", "KES") })).toMatchObject({ posted: 10_000n, held: 0n });
    expect((await verifyLedger(db)).ok).toBe(true);
  });

  test("a wrong amount records why on the payout and settles nothing", async () => {
    const db = database.db;
    const payoutId = await processingPayout("user_status_mismatch");
    const runtime = createPayoutRuntime({ db, rails: {}, statusCheckAfterMs: 5_000 });
    const result = await handleMpesaStatusResult({ runtime, body: statusResult(payoutId, 11, "FORGED2"), providerKey: payoutId, maxAttempts: 5 });
    expect(result).toEqual({ payoutId, action: "waiting" });
    const payout = await db.payout.findUniqueOrThrow({ where: { id: payoutId } });
    expect(payout.status).toBe("processing");
    expect(payout.lastError).toBe("M-Pesa reports receipt FORGED2 for 11, not this payout's amount: reconcile by hand");
    // The mismatch joins the reconciliation queue once, however often M-Pesa repeats it.
    await handleMpesaStatusResult({ runtime, body: statusResult(payoutId, 11, "FORGED2"), providerKey: payoutId, maxAttempts: 5 });
    const queued = await listExceptions(db, { reference: "FORGED2", status: "open", limit: 10 });
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ source: "mpesa", kind: "amount_mismatch", ledgerAmount: -payout.amount, statementAmount: -1_100n, currency: "KES" });
  });
});
