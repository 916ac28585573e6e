// Scenario 9: STK Push deposits whose callbacks are each sent 3 times, 20% never sent, with the
// API process that receives them SIGKILLed mid-run and started again (whatever it was applying
// — a group-committed batch of callbacks in its transaction — dies with it; callbacks to it fail
// until it is back): every deposit final within two STK Query sweeps, exactly one credit per
// M-Pesa payment (the sandbox's list vs the ledger), the ledger verified. The deposits are
// created through the procedures in this process (the partner-facing side stays up).
import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { sweepStkQueries } from "@agrinet/domain";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startCollectionsHarness, type CollectionsHarness } from "../testing/collections-harness";
import { reportScenario, scaled } from "../testing/reliability";

let database: TestDatabase;
let harness: CollectionsHarness;

beforeAll(async () => {
  database = await createTestDatabase();
  harness = await startCollectionsHarness({
    db: database.db,
    databaseUrl: database.url,
    stkTimeoutMs: 1_000,
    sandbox: { stkPinDelayMs: 0, stkCallbackCopies: 3, stkCallbackDropRate: 0.2 },
    apiProcess: true,
  });
});
afterAll(async () => {
  await harness?.stop();
  await database?.drop();
});

test("STK callbacks replayed 3x, 20% dropped, the API process SIGKILLed mid-run and restarted: one credit per payment, all final within two sweeps", async () => {
  const { db } = harness;
  const count = scaled(120, 10);
  const parallel = 12;
  let next = 0;
  let restarted: Promise<void> | undefined;
  let killedWhilePending = 0;
  const killed = harness.apiProcess()!.child;
  const ids: string[] = [];
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) {
        const i = next++;
        if (i === Math.floor(count / 2)) {
          killedWhilePending = await db.deposit.count({ where: { reference: { startsWith: "rel-stk-" }, status: "pending" } });
          restarted = harness.restartApi();
        }
        const created = await harness.caller().deposits.create({
          userId: `user_rel_${i % 20}`,
          amount: 100_000,
          currency: "KES",
          method: "mpesa",
          reference: `rel-stk-${i}`,
          // 1-5 paying numbers; every eighth one cancels.
          phoneNumber: i % 8 === 7 ? "+254700000011" : `+2547${String(20_000_000 + i).padStart(8, "0")}`,
        });
        ids.push(created.id);
      }
    }),
  );
  await restarted;
  // Killed, not stopped: no request, transaction or batch in it got to finish.
  expect(killed.signalCode).toBe("SIGKILL");
  expect(harness.apiProcess()!.child.pid).not.toBe(killed.pid);
  // Let the callbacks that were sent arrive, then make every unanswered payment due.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  for (let sweep = 1; sweep <= 2; sweep++) {
    await db.$executeRaw`update mpesa_payments set next_query_at = now() where next_query_at is not null`;
    await sweepStkQueries({ db, settings: harness.settings });
  }
  const deposits = await db.deposit.findMany({ where: { id: { in: ids } }, include: { mpesaPayment: true } });
  expect(deposits).toHaveLength(count);
  expect(deposits.filter((d) => d.status === "pending").map((d) => d.id)).toEqual([]);

  const paid = harness.sandbox.stkPayments().filter((p) => p.receipt);
  const credits = await db.$queryRaw<Array<{ reference: string; n: bigint }>>`
    select metadata ->> 'reference' as reference, count(*) as n from ledger_transactions
    where kind = 'deposit' and metadata ->> 'reference' like 'rel-stk-%' group by 1`;
  expect(credits.filter((c) => Number(c.n) !== 1)).toEqual([]);
  const confirmed = deposits.filter((d) => d.status === "confirmed");
  const byCheckout = new Map(paid.map((p) => [p.checkoutRequestId, p]));
  // Every payment the sandbox's payers made is exactly one confirmed deposit, and nothing else is.
  expect(confirmed.length).toBe(paid.filter((p) => p.accountReference && ids.some((id) => id.endsWith(p.accountReference))).length);
  for (const deposit of confirmed) expect(byCheckout.has(deposit.mpesaPayment!.checkoutRequestId!)).toBe(true);
  expect(credits.length).toBe(confirmed.length);
  const failed = deposits.filter((d) => d.status === "failed");
  expect(failed.every((d) => d.failureCode === "1032")).toBe(true);
  const byQuery = confirmed.filter((d) => !d.mpesaPayment!.receipt).length;
  await reportScenario(
    "scenario 9 (stk-callbacks)",
    db,
    `${count} STK deposits, callbacks x3 with 20% dropped and the API process SIGKILLed with ${killedWhilePending} pending and restarted: ${confirmed.length} confirmed once (${byQuery} by STK Query), ${failed.length} cancelled, 0 pending after two sweeps`,
  );
});
