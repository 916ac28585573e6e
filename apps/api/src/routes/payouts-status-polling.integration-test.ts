import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import {
  checkPayoutStatus,
  getAccountBalance,
  handleMpesaB2cResult,
  maxStatusChecks,
  payoutTasks,
  userWalletAccount,
} from "@agrinet/domain";
import type { PayoutRail } from "@agrinet/rails";
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

async function checkJob(payoutId: string) {
  const rows = await database.db.$queryRaw<Array<{ payload: { check?: number }; run_at: Date }>>`
    select payload, run_at from graphile_worker._private_jobs where key = ${`check:${payoutId}`}`;
  return rows[0] ?? null;
}

async function scheduleCheck(payoutId: string, check: number) {
  await database.db.$executeRaw`
    select graphile_worker.add_job(${payoutTasks.checkStatus},
      json_build_object('payoutId', ${payoutId}::text, 'check', ${check}::int),
      job_key => ${`check:${payoutId}`}::text, run_at => now() + interval '1 day')`;
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
    const before = await checkJob(payoutId);

    await postStatusResult(payoutId, {
      ResultCode: 0,
      ResultDesc: "The service request is processed successfully.",
      ResultParameters: { ResultParameter: [{ Key: "TransactionStatus", Value: "Pending" }] },
    });
    await postStatusResult(payoutId, { ResultCode: 17, ResultDesc: "System internal error." });

    const after = await checkJob(payoutId);
    expect(after?.payload.check).toBe(5);
    expect(after?.run_at).toEqual(before?.run_at);
    const payout = await database.db.payout.findUniqueOrThrow({ where: { id: payoutId } });
    expect(payout.status).toBe("processing");
    expect(payout.lastError).toMatch(/MPESA_17/);
  });

  test("the chain asks again until the limit, then stops and leaves the payout held for an operator", async () => {
    const payoutId = await processingPayout("user_polling_2");
    const check = (n: number) =>
      checkPayoutStatus({
        db: database.db,
        rails: { mpesa: stillPending },
        payoutId,
        attempt: 1,
        maxAttempts: 10,
        statusCheckAfterMs: 60_000,
        check: n,
      });

    expect(await check(maxStatusChecks - 1)).toEqual({ outcome: "awaiting-result" });
    expect((await checkJob(payoutId))?.payload.check).toBe(maxStatusChecks);

    await database.db.$executeRaw`select graphile_worker.remove_job(${`check:${payoutId}`})`;
    expect(await check(maxStatusChecks)).toEqual({ outcome: "awaiting-result" });
    expect(await checkJob(payoutId)).toBeNull();
    const payout = await database.db.payout.findUniqueOrThrow({ where: { id: payoutId } });
    expect(payout.status).toBe("processing");
    expect(payout.lastError).toMatch(new RegExp(`after ${maxStatusChecks} status checks`));
    // Never released and never settled: the funds stay held until an operator decides.
    const balance = await getAccountBalance(database.db, { account: userWalletAccount("user_polling_2", "KES") });
    expect(balance.held).toBe(1000n);
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
        db: database.db,
        rails: { mpesa: acceptsQuery },
        payoutId,
        attempt: 1,
        maxAttempts: 10,
        statusCheckAfterMs: 60_000,
        check: 1,
      }),
    ).toEqual({ outcome: "awaiting-result" });
    expect((await database.db.payout.findUniqueOrThrow({ where: { id: payoutId } })).providerRequestId).toBe(
      "AG_payment_conversation",
    );

    // The genuine result of the payment arrives: nothing about it looks forged.
    const result = await handleMpesaB2cResult({
      db: database.db,
      rails: { mpesa: acceptsQuery },
      maxAttempts: 5,
      statusCheckAfterMs: 60_000,
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
