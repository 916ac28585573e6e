import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import type { PayoutOutcome, PayoutRail, PayoutStatus } from "@agrinet/rails";
import { afterAll, beforeAll, expect, test } from "vitest";
import { externalAccount, postLedgerTransaction, userWalletAccount } from "../ledger";
import { recordWorkerHeartbeat } from "../system/system-status";
import { cancelPayout } from "./cancel-payout";
import { createPayout } from "./create-payout";
import { listPayoutAttempts } from "./payout-attempts";
import { createPayoutRuntime } from "./payout-runtime";
import { processPayout, RetryablePayoutError } from "./process-payout";
import { retryPayout } from "./retry-payout";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  await recordWorkerHeartbeat({ db: database.db, workerId: "test-worker", hostname: "test", pid: 1 });
});

afterAll(async () => {
  await database?.drop();
});

/** The provider keys the scripted rail was sent and asked about, in order. */
let sentKeys: string[] = [];
let askedKeys: string[] = [];

/** A provider that answers each send with the next scripted outcome (and has no record on a status query). */
function scriptedRail(answers: PayoutOutcome[]): PayoutRail {
  sentKeys = [];
  askedKeys = [];
  return {
    name: "mpesa",
    send: async (request) => {
      sentKeys.push(request.providerKey);
      return answers.shift() ?? { kind: "retryable", code: "SCRIPT_EMPTY", message: "no answer scripted" };
    },
    queryStatus: async (providerKey): Promise<PayoutStatus> => {
      askedKeys.push(providerKey);
      return { kind: "not-found" };
    },
  };
}

async function fundedPayout(userId: string, account: string) {
  const db = database.db;
  await postLedgerTransaction(db, {
    idempotencyKey: `fund:${userId}`,
    kind: "deposit",
    postings: [
      { account: externalAccount("mpesa", "KES"), amount: -10_000n, currency: "KES" },
      { account: userWalletAccount(userId, "KES"), amount: 10_000n, currency: "KES" },
    ],
  });
  return createPayout({
    db,
    input: { userId, amount: 1_000n, currency: "KES", destination: { type: "mpesa", account } },
    minAmount: 500n,
    maxAttempts: 5,
  });
}

test("every attempt is its own record: a retryable error, a final failure, then a retry that is paid", async () => {
  const db = database.db;
  const payout = await fundedPayout("user_attempts", "+254711000009");
  expect(await listPayoutAttempts({ db, payoutId: payout.id })).toEqual([]);
  const runtime = createPayoutRuntime({
    db,
    rails: {
      mpesa: scriptedRail([
        { kind: "retryable", code: "MPESA_17", message: "internal error" },
        { kind: "failed-final", code: "MPESA_2040", message: "Credit Party customer type (Unregistered or Registered Customer) can't be supported by the service." },
        { kind: "paid", providerReference: "RCPT_ATTEMPT3" },
      ]),
    },
    statusCheckAfterMs: 5_000,
  });

  await expect(processPayout({ runtime, payoutId: payout.id, attempt: 1, maxAttempts: 5 })).rejects.toBeInstanceOf(RetryablePayoutError);
  expect(await processPayout({ runtime, payoutId: payout.id, attempt: 2, maxAttempts: 5 })).toEqual({ outcome: "failed" });
  await retryPayout({ db, payoutId: payout.id, maxAttempts: 5, audit: { actor: "staff:test", ip: null } });
  expect(await processPayout({ runtime, payoutId: payout.id, attempt: 1, maxAttempts: 5 })).toEqual({ outcome: "paid" });

  const attempts = await listPayoutAttempts({ db, payoutId: payout.id });
  expect(attempts.map(({ attempt, outcome, error, providerReference, providerKey }) => ({ attempt, outcome, error, providerReference, providerKey }))).toEqual([
    { attempt: 1, outcome: "retried", error: "MPESA_17: internal error", providerReference: null, providerKey: payout.id },
    { attempt: 2, outcome: "failed", error: expect.stringMatching(/^MPESA_2040: Credit Party/), providerReference: null, providerKey: payout.id },
    // After the final failure, a new request with its own key (sent without asking about it first).
    { attempt: 3, outcome: "paid", error: null, providerReference: "RCPT_ATTEMPT3", providerKey: `${payout.id}-a3` },
  ]);
  expect(sentKeys).toEqual([payout.id, payout.id, `${payout.id}-a3`]);
  expect(askedKeys).toEqual([payout.id]);
  for (const attempt of attempts) {
    expect(attempt.destination).toEqual({ type: "mpesa", account: "+254711000009" });
    expect(attempt.finishedAt!.getTime()).toBeGreaterThanOrEqual(attempt.startedAt.getTime());
  }
  expect(attempts[1]!.startedAt.getTime()).toBeGreaterThanOrEqual(attempts[0]!.finishedAt!.getTime());
});

test("the same retryable answer twice is recorded on both attempts; an attempt waiting for its result stays open", async () => {
  const db = database.db;
  const payout = await fundedPayout("user_attempts_same", "+254711000010");
  const runtime = createPayoutRuntime({
    db,
    rails: {
      mpesa: scriptedRail([
        { kind: "retryable", code: "MPESA_26", message: "system busy" },
        { kind: "retryable", code: "MPESA_26", message: "system busy" },
        { kind: "pending-callback", providerReference: "AG_CONVERSATION_3" },
      ]),
    },
    statusCheckAfterMs: 60_000,
  });
  for (const attempt of [1, 2]) {
    await expect(processPayout({ runtime, payoutId: payout.id, attempt, maxAttempts: 5 })).rejects.toBeInstanceOf(RetryablePayoutError);
  }
  expect(await processPayout({ runtime, payoutId: payout.id, attempt: 3, maxAttempts: 5 })).toEqual({ outcome: "awaiting-result" });
  const attempts = await listPayoutAttempts({ db, payoutId: payout.id });
  expect(attempts.map(({ outcome, error, providerRequestId, finishedAt }) => ({ outcome, error, providerRequestId, open: finishedAt === null }))).toEqual([
    { outcome: "retried", error: "MPESA_26: system busy", providerRequestId: null, open: false },
    { outcome: "retried", error: "MPESA_26: system busy", providerRequestId: null, open: false },
    { outcome: null, error: null, providerRequestId: "AG_CONVERSATION_3", open: true },
  ]);
});

test("payouts changed together in one statement each get their own attempt record", async () => {
  const db = database.db;
  const payouts = [
    await fundedPayout("user_attempts_batch_1", "+254711000021"),
    await fundedPayout("user_attempts_batch_2", "+254711000022"),
    await fundedPayout("user_attempts_batch_3", "+254711000023"),
  ];
  const ids = payouts.map((p) => p.id);
  const update = (set: string) => db.$pool.query(`update payouts set ${set}, updated_at = now() where id = any($1::text[])`, [ids]);
  await update("status = 'processing', attempts = attempts + 1");
  await update("last_error = 'MPESA_17: ' || id");
  await update("attempts = attempts + 1, last_error = null");
  await update("provider_request_id = 'AG_' || id");
  await db.$pool.query(
    `update payouts set status = case when id = $2 then 'failed' else 'paid' end,
       provider_reference = case when id = $2 then null else 'RCPT_' || id end,
       paid_at = case when id = $2 then null else now() end, last_error = case when id = $2 then 'MPESA_2001: wrong' end
     where id = any($1::text[])`,
    [ids, ids[2]],
  );
  for (const [index, id] of ids.entries()) {
    const attempts = await listPayoutAttempts({ db, payoutId: id });
    expect(attempts.map(({ attempt, outcome, error, providerRequestId, providerReference, finishedAt }) => ({ attempt, outcome, error, providerRequestId, providerReference, open: finishedAt === null }))).toEqual([
      { attempt: 1, outcome: "retried", error: `MPESA_17: ${id}`, providerRequestId: null, providerReference: null, open: false },
      index < 2
        ? { attempt: 2, outcome: "paid", error: null, providerRequestId: `AG_${id}`, providerReference: `RCPT_${id}`, open: false }
        : { attempt: 2, outcome: "failed", error: "MPESA_2001: wrong", providerRequestId: `AG_${id}`, providerReference: null, open: false },
    ]);
  }
});

test("a payout never sent has no attempts, cancelled or not; an unknown payout is NOT_FOUND", async () => {
  const db = database.db;
  const payout = await fundedPayout("user_attempts_cancel", "+254711000011");
  await cancelPayout({ db, payoutId: payout.id, reason: "wrong number" });
  expect(await listPayoutAttempts({ db, payoutId: payout.id })).toEqual([]);
  await expect(listPayoutAttempts({ db, payoutId: "po_000000000000000000000000" })).rejects.toMatchObject({ code: "NOT_FOUND" });
});

test("a payout is never deleted, so its attempts never outlive it (they have no foreign key)", async () => {
  const db = database.db;
  const payout = await fundedPayout("user_attempts_delete", "+254711000012");
  await expect(db.payout.delete({ where: { id: payout.id } })).rejects.toThrow(/payouts are never deleted/);
  await expect(db.$executeRaw`delete from payouts where id = ${payout.id}`).rejects.toThrow(/payouts are never deleted/);
  expect(await db.payout.count({ where: { id: payout.id } })).toBe(1);
});
