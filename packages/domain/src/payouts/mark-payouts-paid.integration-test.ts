import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { externalAccount, getAccountBalance, postLedgerTransaction, userWalletAccount, verifyLedger } from "../ledger";
import { recordWorkerHeartbeat } from "../system/system-status";
import { createPayout } from "./create-payout";
import { createPayoutSettler, markPayoutsPaid } from "./mark-payouts-paid";
import { markPayoutFailed } from "./payout-transitions";

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

    const results = await markPayoutsPaid(db, [
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
    const again = await markPayoutsPaid(db, [{ payoutId: b!, providerReference: "RCPT_B" }]);
    expect(again.get(b!)).toEqual({ status: "paid", changed: false });
    expect(await wallet("user_batch_1")).toMatchObject({ posted: 98_000n, held: 0n });
    expect((await verifyLedger(db)).ok).toBe(true);
  });

  test("the settler groups concurrent settlements and answers each caller", async () => {
    const db = database.db;
    const ids = await payouts("user_batch_3", 20);
    const batchErrors: unknown[] = [];
    const settler = createPayoutSettler({ db, maxBatch: 8, onBatchError: (error) => batchErrors.push(error) });
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
    const settler = createPayoutSettler({ db, maxBatch: 8, onBatchError: (error) => batchErrors.push(error) });
    const results = await Promise.allSettled(ids.map((payoutId) => settler.settle({ payoutId, providerReference: `R_${payoutId}` })));
    expect(batchErrors.length).toBeGreaterThan(0);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled"]);
    expect(await db.payout.count({ where: { id: { in: ids }, status: "paid" } })).toBe(3);
    expect((await db.payout.findUniqueOrThrow({ where: { id: broken } })).status).not.toBe("paid");
    expect(await wallet("user_batch_4")).toMatchObject({ posted: 97_000n, held: 1_000n });
    expect((await verifyLedger(db)).ok).toBe(true);
  });
});
