import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { externalAccount, getAccountBalance, ledgerRequestHash, postLedgerTransaction, userWalletAccount, verifyLedger } from "../ledger";
import { recordWorkerHeartbeat } from "../system/system-status";
import { createPayout } from "./create-payout";
import { supportedCurrencies } from "@agrinet/core";
import { payoutClearingAccount, payoutSettleKey, payoutSourceAccount } from "./payout-ledger";
import { createPayoutRuntime } from "./payout-runtime";
import { markPayoutFailed } from "./payout-transitions";
import { settlePayouts } from "./settle-payouts";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  await recordWorkerHeartbeat({ db: database.db, workerId: "test-worker", hostname: "test", pid: 1 });
});

afterAll(async () => {
  await database?.drop();
});

async function payouts(userId: string, count: number) {
  const db = database.db;
  await postLedgerTransaction(db, {
    idempotencyKey: `fund:${userId}`,
    kind: "deposit",
    postings: [
      { account: externalAccount("mpesa", "KES"), amount: -100_000n, currency: "KES" },
      { account: userWalletAccount(userId, "KES"), amount: 100_000n, currency: "KES" },
    ],
  });
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const payout = await createPayout({
      db,
      input: { userId, amount: 1000n, currency: "KES", destination: { type: "mpesa", account: "+254711000001" } },
      minAmount: 500n,
      maxAttempts: 5,
    });
    ids.push(payout.id);
  }
  return ids;
}

const wallet = (userId: string) => getAccountBalance(database.db, { account: userWalletAccount(userId, "KES") });

describe("settling paid payouts in a batch", () => {
  test("each payout settles once, duplicates and replays change nothing, a given-up payout is flagged", async () => {
    const db = database.db;
    const [a, b, c] = await payouts("user_batch_1", 3);
    const [d] = await payouts("user_batch_2", 1);
    await markPayoutFailed(db, { payoutId: c!, error: "gave up" });
    const clearingBefore = await getAccountBalance(db, { account: externalAccount("mpesa", "KES") });

    const results = await settlePayouts(db, [
      { payoutId: a!, providerReference: "RCPT_A" },
      { payoutId: b!, providerReference: "RCPT_B" },
      { payoutId: a!, providerReference: "RCPT_A" },
      { payoutId: c!, providerReference: "RCPT_C" },
      { payoutId: d!, providerReference: "RCPT_D" },
      { payoutId: "po_missing", providerReference: "RCPT_X" },
    ]);
    expect(results.get(a!)).toEqual({ status: "paid", changed: true });
    expect(results.get(b!)).toEqual({ status: "paid", changed: true });
    expect(results.get(d!)).toEqual({ status: "paid", changed: true });
    expect(results.get(c!)).toEqual({ status: "failed", changed: false });
    expect(results.get("po_missing")).toEqual({ status: "failed", changed: false });

    const paid = await db.payout.findUniqueOrThrow({ where: { id: a! } });
    expect(paid).toMatchObject({ status: "paid", providerReference: "RCPT_A", lastError: null });
    expect(paid.paidAt).toBeInstanceOf(Date);
    expect(paid.ledgerSnapshot).toMatchObject({ balances: [{ amount: "-1000" }, { amount: "1000" }] });
    const flagged = await db.payout.findUniqueOrThrow({ where: { id: c! } });
    expect(flagged).toMatchObject({ status: "failed" });
    expect(flagged.lastError).toMatch(/RCPT_C.*reconcile/);

    // Held funds left the wallets once each and reached the clearing account.
    expect(await wallet("user_batch_1")).toMatchObject({ posted: 98_000n, held: 0n, available: 98_000n });
    expect(await wallet("user_batch_2")).toMatchObject({ posted: 99_000n, held: 0n });
    const clearingAfter = await getAccountBalance(db, { account: externalAccount("mpesa", "KES") });
    expect(clearingAfter.posted - clearingBefore.posted).toBe(3000n);
    const events = await db.domainEvent.groupBy({ by: ["type"], where: { aggregateId: { in: [a!, b!, c!, d!] } }, _count: true });
    expect(Object.fromEntries(events.map((e) => [e.type, e._count]))).toMatchObject({
      "payout.paid": 3,
      "payout.reconciliation_needed": 1,
    });

    // A replay (a duplicate callback in a later batch) changes nothing.
    const again = await settlePayouts(db, [{ payoutId: b!, providerReference: "RCPT_B" }]);
    expect(again.get(b!)).toEqual({ status: "paid", changed: false });
    expect(await wallet("user_batch_1")).toMatchObject({ posted: 98_000n, held: 0n });
    expect((await verifyLedger(db)).ok).toBe(true);
  });

  test("the payout runtime groups concurrent settlements and answers each caller", async () => {
    const db = database.db;
    const ids = await payouts("user_batch_3", 20);
    const batchErrors: unknown[] = [];
    const settler = createPayoutRuntime({ db, rails: {}, statusCheckAfterMs: 60_000, maxBatch: 8, onSettleBatchError: (error) => batchErrors.push(error) });
    const results = await Promise.all(
      [...ids, ...ids.slice(0, 5)].map((payoutId) => settler.settle({ payoutId, providerReference: `R_${payoutId}` })),
    );
    expect(batchErrors).toEqual([]);
    expect(results.filter((r) => r.changed)).toHaveLength(20);
    expect(results.every((r) => r.status === "paid")).toBe(true);
    expect(await wallet("user_batch_3")).toMatchObject({ posted: 80_000n, held: 0n });
    expect(await db.payout.count({ where: { id: { in: ids }, status: "paid" } })).toBe(20);
    expect((await verifyLedger(db)).ok).toBe(true);
  });
  test("a batch that fails as a whole is settled payout by payout: only the broken payout fails", async () => {
    const db = database.db;
    const ids = await payouts("user_batch_4", 4);
    const broken = ids[2]!;
    // Its hold (KES) no longer fits the clearing account its currency names: the batch throws.
    await db.$executeRaw`update payouts set currency = 'UGX' where id = ${broken}`;
    const batchErrors: unknown[] = [];
    const settler = createPayoutRuntime({ db, rails: {}, statusCheckAfterMs: 60_000, maxBatch: 8, onSettleBatchError: (error) => batchErrors.push(error) });
    const results = await Promise.allSettled(ids.map((payoutId) => settler.settle({ payoutId, providerReference: `R_${payoutId}` })));
    expect(batchErrors.length).toBeGreaterThan(0);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled"]);
    expect(await db.payout.count({ where: { id: { in: ids }, status: "paid" } })).toBe(3);
    expect((await db.payout.findUniqueOrThrow({ where: { id: broken } })).status).not.toBe("paid");
    expect(await wallet("user_batch_4")).toMatchObject({ posted: 97_000n, held: 1_000n });
    expect((await verifyLedger(db)).ok).toBe(true);
  });

  test("a batch is one statement, one round trip: no BEGIN or COMMIT of its own", async () => {
    const db = database.db;
    const ids = await payouts("user_batch_5", 5);
    // Creating them wakes the outbox dispatcher a few ms after each commit (one NOTIFY of its
    // own): let that pass, so only the settlement's statements are counted.
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Every statement of the pool goes through its connections' query method.
    const connection = await db.$pool.connect();
    const clientQuery = vi.spyOn(Object.getPrototypeOf(connection) as { query(...args: unknown[]): unknown }, "query");
    connection.release();
    try {
      const results = await settlePayouts(db, ids.map((payoutId) => ({ payoutId, providerReference: `R_${payoutId}` })));
      expect([...results.values()].every((r) => r.status === "paid" && r.changed)).toBe(true);
      expect(clientQuery.mock.calls.map(([config]) => (config as { name?: string }).name ?? config)).toEqual(["payouts-settle"]);
    } finally {
      clientQuery.mockRestore();
    }
    expect(await wallet("user_batch_5")).toMatchObject({ posted: 95_000n, held: 0n });
  });

  test("the settlement posts its key, metadata and the request hash ledgerRequestHash computes, and the payout's snapshot", async () => {
    const db = database.db;
    const [id] = await payouts("user_batch_6", 1);
    await db.$executeRaw`update payouts set contract_id = 'ctr_settle_1' where id = ${id!}`;
    await settlePayouts(db, [{ payoutId: id!, providerReference: "RCPT_HASH" }]);
    const payout = await db.payout.findUniqueOrThrow({ where: { id: id! } });
    const posted = await db.ledgerTransaction.findUniqueOrThrow({ where: { idempotencyKey: `payout:${id}:settle:${payout.holdId}` } });
    const wallet = userWalletAccount("user_batch_6", "KES");
    const clearing = externalAccount("mpesa", "KES");
    expect(posted).toMatchObject({
      kind: "payout_settle",
      contractId: "ctr_settle_1",
      metadata: { payoutId: id, providerReference: "RCPT_HASH", contractId: "ctr_settle_1", holdId: payout.holdId },
      requestHash: ledgerRequestHash("payout_settle", [
        { account: wallet, amount: -1000n, currency: "KES" },
        { account: clearing, amount: 1000n, currency: "KES" },
      ]),
    });
    const clearingPosted = (await getAccountBalance(db, { account: clearing })).posted;
    expect(payout.ledgerSnapshot).toEqual({
      ledgerTransactionId: posted.id.toString(),
      takenAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      balances: [
        { account: wallet, currency: "KES", amount: "-1000", postedAfter: "99000" },
        { account: clearing, currency: "KES", amount: "1000", postedAfter: clearingPosted.toString() },
      ],
    });
    expect(payout.statusCheck).toBeNull();
  });

  test("items confirmed by M-Pesa's status callback: the amount is checked under the lock, a final payout is left alone", async () => {
    const db = database.db;
    const [matching, wrongAmount, failed, paid] = await payouts("user_batch_7", 4);
    await db.$executeRaw`update payouts set status = 'processing' where id in (${matching!}, ${wrongAmount!})`;
    await markPayoutFailed(db, { payoutId: failed!, error: "gave up" });
    await settlePayouts(db, [{ payoutId: paid!, providerReference: "RCPT_EARLIER" }]);
    const confirmed = (wholeUnits: bigint) => ({ wholeUnits, mismatchError: `reported ${wholeUnits}` });

    const results = await settlePayouts(db, [
      // 1000 minor units of KES = 10 shillings.
      { payoutId: matching!, providerReference: "RCPT_OK", confirmed: confirmed(10n) },
      { payoutId: wrongAmount!, providerReference: "RCPT_WRONG", confirmed: confirmed(1000n) },
      { payoutId: failed!, providerReference: "RCPT_LATE", confirmed: confirmed(10n) },
      { payoutId: paid!, providerReference: "RCPT_AGAIN", confirmed: confirmed(10n) },
      { payoutId: "po_missing_confirmed", providerReference: "RCPT_NONE", confirmed: confirmed(10n) },
    ]);
    expect(Object.fromEntries(results)).toEqual({
      [matching!]: { status: "paid", changed: true },
      [wrongAmount!]: { status: "processing", changed: false, refused: "amount-mismatch" },
      [failed!]: { status: "failed", changed: false, refused: "already-final" },
      [paid!]: { status: "paid", changed: false, refused: "already-final" },
      po_missing_confirmed: { status: "failed", changed: false, refused: "unknown-payout" },
    });
    const rows = new Map((await db.payout.findMany({ where: { userId: "user_batch_7" } })).map((p) => [p.id, p]));
    expect(rows.get(matching!)).toMatchObject({ status: "paid", providerReference: "RCPT_OK" });
    expect(rows.get(wrongAmount!)).toMatchObject({ status: "processing", lastError: "reported 1000" });
    expect(rows.get(failed!)).toMatchObject({ status: "failed", lastError: "gave up" });
    expect(rows.get(paid!)).toMatchObject({ status: "paid", providerReference: "RCPT_EARLIER" });
    expect(await db.domainEvent.count({ where: { aggregateId: failed!, type: "payout.reconciliation_needed" } })).toBe(0);
    // Two settled (the earlier one and the matching one), the wrong amount still held, the failed one released.
    expect(await wallet("user_batch_7")).toMatchObject({ posted: 98_000n, held: 1_000n });
    expect((await verifyLedger(db)).ok).toBe(true);
  });

  test("payouts_settle names the account, key and request hash the TypeScript rules name, for every rail and currency", async () => {
    const db = database.db;
    for (const rail of ["mpesa", "stripe", "bank"] as const) {
      for (const currency of supportedCurrencies) {
        const userId = `user_rules_${rail}_${currency}`;
        await postLedgerTransaction(db, {
          idempotencyKey: `fund:${userId}`,
          kind: "deposit",
          postings: [
            { account: externalAccount("mpesa", currency), amount: -100_000n, currency },
            { account: userWalletAccount(userId, currency), amount: 100_000n, currency },
          ],
        });
        const created = await createPayout({
          db,
          input: { userId, amount: 5000n, currency, destination: { type: "bank", accountName: "Rules Test", account: "0123456789", bankCode: "KCBLKENX" } },
          minAmount: 500n,
          maxAttempts: 5,
        });
        // The rail only decides the clearing account: the payout row says which.
        await db.$executeRaw`update payouts set destination_type = ${rail}, status = 'processing' where id = ${created.id}`;
        expect((await settlePayouts(db, [{ payoutId: created.id, providerReference: `R_${rail}_${currency}` }])).get(created.id)).toEqual({
          status: "paid",
          changed: true,
        });
        const payout = await db.payout.findUniqueOrThrow({ where: { id: created.id } });
        const posted = await db.ledgerTransaction.findUniqueOrThrow({
          where: { idempotencyKey: payoutSettleKey(created.id, payout.holdId!) },
        });
        const postedPostings = await db.$queryRaw<Array<{ code: string; amount: bigint }>>`
          select a.code, p.amount from ledger_postings p join ledger_accounts a on a.id = p.account_id
          where p.transaction_id = ${posted.id} order by p.id`;
        const postings = [
          { account: payoutSourceAccount({ userId, currency }), amount: -5000n, currency },
          { account: payoutClearingAccount(rail, currency), amount: 5000n, currency },
        ];
        expect(posted.requestHash).toBe(ledgerRequestHash("payout_settle", postings));
        expect(postedPostings.map((p) => [p.code, p.amount])).toEqual(postings.map((p) => [p.account, p.amount]));
      }
    }
    expect((await verifyLedger(db)).ok).toBe(true);
  });
});
