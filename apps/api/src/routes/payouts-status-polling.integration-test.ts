import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import {
  checkPayoutStatus,
  createPayoutRuntime,
  getAccountBalance,
  handleMpesaB2cResult,
  settlePayouts,
  maxStatusChecks,
  scheduleStatusCheck,
  sweepStatusChecks,
  userWalletAccount,
} from "@agrinet/domain";
import { jobTasks } from "@agrinet/job-queue";
import { deleteJobs, listJobs, lockJobs } from "@agrinet/job-queue/testing";
import type { PayoutRail } from "@agrinet/rails";
import { claimDueStatusChecks } from "@agrinet/stores/payouts";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startPayoutHarness, type PayoutHarness } from "../testing/payouts-harness";

let database: TestDatabase;
let harness: PayoutHarness;

beforeAll(async () => {
  database = await createTestDatabase();
  harness = await startPayoutHarness({ db: database.db, databaseUrl: database.url });
  await harness.startWorker();
});

afterAll(async () => {
  await harness?.stop();
  await database?.drop();
});

/** A payout the provider accepted and has not settled: `processing`, its hold still pending. */
async function processingPayout(userId: string) {
  await harness.fund(userId, 10_000n);
  const payout = await harness.caller().payouts.createPayout({
    userId,
    amount: 1000,
    currency: "KES",
    destination: { type: "mpesa", account: "+254700000003" },
  });
  await database.db.payout.update({ where: { id: payout.id }, data: { status: "processing", attempts: 1 } });
  return payout.id;
}

/**
 * The payout's planned status check (null: none), and whether a sweep job is waiting to run it:
 * one keyed by the second its due time falls in, running at the end of that second.
 */
async function plannedCheck(payoutId: string) {
  const rows = await database.db.$queryRaw<Array<{ check: number | null; at: Date | null }>>`
    select p.status_check as check, p.status_check_at as at from payouts p where p.id = ${payoutId}`;
  const row = rows[0]!;
  if (row.check === null) return null;
  const at = row.at!.getTime();
  const sweeps = await listJobs(database.db.$pool, { task: jobTasks.payoutStatusSweep });
  const swept = sweeps.some((job) => job.runAt.getTime() >= at && job.runAt.getTime() < at + 1_000);
  return { payload: { check: row.check }, run_at: row.at, swept };
}

async function scheduleCheck(payoutId: string, check: number) {
  await database.db.$transaction((tx) => scheduleStatusCheck(tx, { payoutId, check, afterMs: 86_400_000 }));
}

async function postStatusResult(payoutId: string, result: Record<string, unknown>) {
  const token = harness.workerEnv.MPESA_CALLBACK_TOKEN!;
  const response = await fetch(
    `${harness.apiUrl}/payments/mpesa/status/result?token=${encodeURIComponent(token)}&payoutId=${payoutId}`,
    {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        Result: { ResultType: 0, OriginatorConversationID: "q1", ConversationID: "c1", TransactionID: "", ...result },
      }),
    },
  );
  expect(response.status).toBe(200);
}

const stillPending: PayoutRail = {
  name: "mpesa",
  send: () => Promise.reject(new Error("a status check never sends")),
  queryStatus: () => Promise.resolve({ kind: "pending-callback" }),
};

describe("M-Pesa status polling is bounded", () => {
  test("a 'pending' status answer leaves the status-check chain where it was instead of restarting it", async () => {
    const payoutId = await processingPayout("user_polling_1");
    await scheduleCheck(payoutId, 5);
    const before = await plannedCheck(payoutId);

    await postStatusResult(payoutId, {
      ResultCode: 0,
      ResultDesc: "The service request is processed successfully.",
      ResultParameters: { ResultParameter: [{ Key: "TransactionStatus", Value: "Pending" }] },
    });
    await postStatusResult(payoutId, { ResultCode: 17, ResultDesc: "System internal error." });

    const after = await plannedCheck(payoutId);
    expect(after?.payload.check).toBe(5);
    expect(after?.run_at).toEqual(before?.run_at);
    expect(after?.swept).toBe(true);
    const payout = await database.db.payout.findUniqueOrThrow({ where: { id: payoutId } });
    expect(payout.status).toBe("processing");
    expect(payout.lastError).toMatch(/MPESA_17/);
  });

  test("the chain asks again until the limit, then stops and leaves the payout held for an operator", async () => {
    const payoutId = await processingPayout("user_polling_2");
    const check = (n: number) =>
      checkPayoutStatus({
        runtime: createPayoutRuntime({ db: database.db, rails: { mpesa: stillPending }, statusCheckAfterMs: 60_000 }),
        payoutId,
        attempt: 1,
        maxAttempts: 10,
        check: n,
      });

    expect(await check(maxStatusChecks - 1)).toEqual({ outcome: "awaiting-result" });
    const last = await plannedCheck(payoutId);
    expect(last?.payload.check).toBe(maxStatusChecks);
    expect(last?.swept).toBe(true);

    expect(await check(maxStatusChecks)).toEqual({ outcome: "awaiting-result" });
    expect(await plannedCheck(payoutId)).toBeNull();
    const payout = await database.db.payout.findUniqueOrThrow({ where: { id: payoutId } });
    expect(payout.status).toBe("processing");
    expect(payout.lastError).toMatch(new RegExp(`after ${maxStatusChecks} status checks`));
    // Never released and never settled: the funds stay held until an operator decides.
    const balance = await getAccountBalance(database.db, { account: userWalletAccount("user_polling_2", "KES") });
    expect(balance.held).toBe(1000n);
  });
});

describe("the status sweep", () => {
  /** Due now, without a sweep job, so only the sweep this test calls asks about it. */
  async function dueNow(payoutId: string, check: number) {
    await database.db.$executeRaw`
      update payouts set status_check = ${check}::int, status_check_at = now() - interval '1 second' where id = ${payoutId}`;
  }

  test("asks about each due payout with its own check number and plans its next check, backing off", async () => {
    const due = await processingPayout("user_sweep_1");
    const notDue = await processingPayout("user_sweep_2");
    await dueNow(due, 3);
    await scheduleCheck(notDue, 2);
    const notDueBefore = await plannedCheck(notDue);
    const asked: string[] = [];
    const counting: PayoutRail = {
      ...stillPending,
      queryStatus: (payoutId) => {
        asked.push(payoutId);
        return Promise.resolve({ kind: "pending-callback" });
      },
    };

    const result = await sweepStatusChecks({
      runtime: createPayoutRuntime({ db: database.db, rails: { mpesa: counting }, statusCheckAfterMs: 60_000 }),
      maxAttempts: 10,
    });

    expect(asked).toEqual([due]);
    expect(result).toMatchObject({ checked: 1, failed: 0, outcomes: { "awaiting-result": 1 } });
    const next = await plannedCheck(due);
    expect(next?.payload.check).toBe(4);
    expect(next?.swept).toBe(true);
    // The fourth check waits 2³ × the result timeout.
    const rows = await database.db.$queryRaw<Array<{ wait: number }>>`
      select extract(epoch from status_check_at - now())::float8 as wait from payouts where id = ${due}`;
    const wait = rows[0]!.wait;
    expect(wait).toBeGreaterThan(8 * 60 - 30);
    expect(wait).toBeLessThanOrEqual(8 * 60);
    expect(await plannedCheck(notDue)).toEqual(notDueBefore);
  });

  test("a payout taken by a sweep that dies before asking is due again after the lease, with a sweep job and the same check", async () => {
    const payoutId = await processingPayout("user_sweep_3");
    await dueNow(payoutId, 2);

    const claimed = await claimDueStatusChecks(database.db.$pool, { limit: 10, leaseMs: 60_000 });

    expect(claimed).toContainEqual({ payoutId, check: 2 });
    const leased = await plannedCheck(payoutId);
    expect(leased?.payload.check).toBe(2);
    expect(leased?.run_at!.getTime()).toBeGreaterThan(Date.now() + 30_000);
    expect(leased?.swept).toBe(true);
    // Another sweep meanwhile does not take it again.
    expect(await claimDueStatusChecks(database.db.$pool, { limit: 10, leaseMs: 60_000 })).not.toContainEqual(
      expect.objectContaining({ payoutId }),
    );
  });

  test("one sweep per second of due times: a waiting one is reused, a running one gets a successor", async () => {
    const schedule = async (...due: string[]) => {
      const rows = await database.db.$queryRaw<Array<{ added: number }>>`
        select schedule_payout_status_sweeps(${due}::timestamptz[]) as added`;
      return rows[0]!.added;
    };
    const key = `${jobTasks.payoutStatusSweep}:${Date.parse("2030-01-01T00:00:01Z") / 1000}`;
    // The waiting sweep by its key; one taken by a worker gives its key up to its successor.
    const sweeps = async () =>
      [...(await listJobs(database.db.$pool, { lockedBy: "test" })), ...(await listJobs(database.db.$pool, { key }))]
        .filter((job, i, all) => all.findIndex((other) => other.id === job.id) === i)
        .filter((job) => job.key === key || job.key === null)
        .map((job) => ({ run_at: job.runAt, locked: job.lockedBy !== null }));

    expect(await schedule("2030-01-01T00:00:00.2Z", "2030-01-01T00:00:00.7Z")).toBe(1);
    expect(await sweeps()).toEqual([{ run_at: new Date("2030-01-01T00:00:01Z"), locked: false }]);
    expect(await schedule("2030-01-01T00:00:00.9Z")).toBe(0);
    expect(await sweeps()).toHaveLength(1);

    // Running now: it may already have looked, so payouts planned for that second need another.
    await lockJobs(database.db.$pool, { key, lockedBy: "test" });
    expect(await schedule("2030-01-01T00:00:00.9Z")).toBe(1);
    expect(await sweeps()).toEqual([
      { run_at: new Date("2030-01-01T00:00:01Z"), locked: true },
      { run_at: new Date("2030-01-01T00:00:01Z"), locked: false },
    ]);
    await deleteJobs(database.db.$pool, { key, lockedBy: "test" });
  });

  test("a settled payout is no longer asked about", async () => {
    const payoutId = await processingPayout("user_sweep_4");
    await dueNow(payoutId, 1);
    await settlePayouts(database.db, [{ payoutId, providerReference: "SBX_SWEEP_4" }]);

    expect(await plannedCheck(payoutId)).toBeNull();
    expect(await claimDueStatusChecks(database.db.$pool, { limit: 10, leaseMs: 60_000 })).not.toContainEqual(
      expect.objectContaining({ payoutId }),
    );
  });
});

describe("a status query does not replace the payment's conversation id", () => {
  test("the payment's own result callback still matches after a status check was answered 'later'", async () => {
    const payoutId = await processingPayout("user_polling_3");
    await database.db.payout.update({ where: { id: payoutId }, data: { providerRequestId: "AG_payment_conversation" } });
    // Daraja accepts the status query and answers later, naming the query's own ConversationID.
    const acceptsQuery: PayoutRail = {
      ...stillPending,
      queryStatus: () => Promise.resolve({ kind: "pending-callback", providerReference: "AG_status_query_conversation" }),
    };
    expect(
      await checkPayoutStatus({
        runtime: createPayoutRuntime({ db: database.db, rails: { mpesa: acceptsQuery }, statusCheckAfterMs: 60_000 }),
        payoutId,
        attempt: 1,
        maxAttempts: 10,
        check: 1,
      }),
    ).toEqual({ outcome: "awaiting-result" });
    expect((await database.db.payout.findUniqueOrThrow({ where: { id: payoutId } })).providerRequestId).toBe(
      "AG_payment_conversation",
    );

    // The genuine result of the payment arrives: nothing about it looks forged.
    const result = await handleMpesaB2cResult({
      runtime: createPayoutRuntime({ db: database.db, rails: { mpesa: acceptsQuery }, statusCheckAfterMs: 60_000 }),
      maxAttempts: 5,
      body: {
        Result: {
          ResultType: 0,
          ResultCode: 0,
          ResultDesc: "The service request is processed successfully.",
          OriginatorConversationID: payoutId,
          ConversationID: "AG_payment_conversation",
          TransactionID: "SBX0000001",
          ResultParameters: {
            ResultParameter: [
              { Key: "TransactionAmount", Value: 10 },
              { Key: "TransactionReceipt", Value: "SBX0000001" },
            ],
          },
        },
      },
    });
    expect(result.action).toBe("confirming");
    const payout = await database.db.payout.findUniqueOrThrow({ where: { id: payoutId } });
    expect(payout.lastError).toBeNull();
  });
});
