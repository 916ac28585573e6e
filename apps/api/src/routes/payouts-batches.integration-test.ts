import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import {
  createPayoutRuntime,
  getAccountBalance,
  processPayout,
  awaitPayoutResults,
  startPayouts,
  userWalletAccount,
  type PayoutRuntime,
} from "@agrinet/domain";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { eventually, startPayoutHarness, type PayoutHarness } from "../testing/payouts-harness";

let database: TestDatabase;
let harness: PayoutHarness;

beforeAll(async () => {
  database = await createTestDatabase();
  harness = await startPayoutHarness({ db: database.db, databaseUrl: database.url });
  // Alive for the heartbeat that creating payouts requires; their jobs wait for a run that never comes.
  await harness.startWorker();
});

afterAll(async () => {
  await harness?.stop();
  await database?.drop();
});

async function queuedPayouts(userId: string, count: number): Promise<string[]> {
  await harness.fund(userId, BigInt(count) * 1000n);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const payout = await harness.caller().payouts.createPayout({
      userId,
      amount: 1000,
      currency: "KES",
      destination: { type: "mpesa", account: `+2547${String(20_000_000 + i).padStart(8, "0")}` },
    });
    ids.push(payout.id);
  }
  return ids;
}

async function countEvents(type: string, ids: string[]) {
  const rows = await database.db.$queryRaw<Array<{ id: string; n: bigint }>>`
    select aggregate_id as id, count(*) as n from domain_events
    where type = ${type} and aggregate_id = any(${ids}::text[]) group by aggregate_id`;
  return new Map(rows.map((r) => [r.id, Number(r.n)]));
}

describe("payouts started many at a time", () => {
  test("two batches claiming the same payouts at once: each payout is claimed fresh by exactly one of them", async () => {
    const ids = await queuedPayouts("user_batches_1", 30);
    const [first, second] = await Promise.all([
      startPayouts(database.db.$pool, ids),
      startPayouts(database.db.$pool, [...ids].reverse()),
    ]);
    for (const id of ids) {
      const claims = [first.get(id)!, second.get(id)!];
      // The row lock orders the two: one sees no earlier attempt (it may send at once), the other
      // sees that attempt (it must ask the provider before sending).
      expect(claims.map((c) => c.previousAttempts).sort()).toEqual([0, 1]);
      expect(claims.every((c) => c.status === "processing")).toBe(true);
    }
    const events = await countEvents("payout.processing", ids);
    expect(ids.map((id) => events.get(id))).toEqual(ids.map(() => 1));
  });

  test("two workers running the same payouts' jobs at once pay each of them once", async () => {
    const userId = "user_batches_2";
    const ids = await queuedPayouts(userId, 40);
    const workers: PayoutRuntime[] = [
      createPayoutRuntime({ db: database.db, rails: harness.rails, statusCheckAfterMs: 60_000 }),
      createPayoutRuntime({ db: database.db, rails: harness.rails, statusCheckAfterMs: 60_000 }),
    ];
    const run = (runtime: PayoutRuntime, payoutId: string) => processPayout({ runtime, payoutId, attempt: 1, maxAttempts: 5 });
    // Each payout three times at once: twice in one worker (its batches must not hold one payout
    // twice), once in the other.
    await Promise.all(ids.flatMap((id) => [run(workers[0]!, id), run(workers[1]!, id), run(workers[0]!, id)]));

    const paid = await eventually(
      () => database.db.payout.count({ where: { id: { in: ids }, status: "paid" } }),
      (n) => n === ids.length,
    );
    expect(paid).toBe(ids.length);
    const payments = harness.sandbox.payments().filter((p) => ids.includes(p.originatorConversationId));
    expect(payments).toHaveLength(ids.length);
    expect(new Set(payments.map((p) => p.originatorConversationId)).size).toBe(ids.length);

    const settlements = await database.db.$queryRaw<Array<{ n: bigint }>>`
      select count(*) as n from ledger_transactions where kind = 'payout_settle' and metadata->>'payoutId' = any(${ids}::text[])`;
    expect(Number(settlements[0]!.n)).toBe(ids.length);
    const wallet = await getAccountBalance(database.db, { account: userWalletAccount(userId, "KES") });
    expect(wallet.held).toBe(0n);
    expect(wallet.posted).toBe(0n);
    const processing = await countEvents("payout.processing", ids);
    const paidEvents = await countEvents("payout.paid", ids);
    expect(ids.map((id) => [processing.get(id), paidEvents.get(id)])).toEqual(ids.map(() => [1, 1]));
  });

  test("a batch that plans status checks reads its own payouts, not every processing one", async () => {
    // Statistics taken while none was processing (as before a run starts), then a run's worth of
    // payouts processing: a plan that looks processing payouts up by status reads them all.
    const ids = Array.from({ length: 300 }, (_, i) => `po_plan_${String(i).padStart(4, "0")}`);
    await database.db.$executeRaw`
      insert into payouts (id, user_id, amount, currency, destination_type, destination, reference, request_hash)
      select id, 'user_batches_plan', 1000, 'KES', 'mpesa', '{"type":"mpesa","account":"+254700000000"}'::jsonb, 'ref-' || id, 'hash'
      from unnest(${ids}::text[]) as id`;
    await database.db.$executeRawUnsafe("analyze payouts");
    await database.db.$executeRaw`update payouts set status = 'processing' where id = any(${ids}::text[])`;

    const client = await database.db.$pool.connect();
    try {
      await client.query("begin");
      // A table this small may be read whole by a sequential scan whatever the statement says;
      // the plans compared here are the index ones, by status or by id.
      await client.query("set local enable_seqscan = off");
      const read = async () => {
        const { rows } = await client.query<{ n: string }>(
          `select (pg_stat_get_xact_tuples_fetched('payouts'::regclass) + pg_stat_get_xact_tuples_returned('payouts'::regclass))::text as n`,
        );
        return Number(rows[0]!.n);
      };
      const before = await read();
      const batch = ids.slice(0, 20);
      const waiting = await awaitPayoutResults(
        client,
        batch.map((payoutId) => ({ payoutId, providerRequestId: `AG_${payoutId}`, check: 1, afterMs: 60_000 })),
      );
      const rowsRead = (await read()) - before;
      await client.query("rollback");
      expect([...waiting].sort()).toEqual(batch);
      // Each of the batch's rows is read to lock it and again to update it.
      expect(rowsRead).toBeLessThanOrEqual(2 * batch.length);
    } finally {
      client.release();
    }
  });
});
