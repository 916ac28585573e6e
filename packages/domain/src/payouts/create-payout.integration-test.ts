import { DomainError } from "@agrinet/core";
import { createDb } from "@agrinet/db";
import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { jobTasks } from "@agrinet/job-queue";
import { listJobs } from "@agrinet/job-queue/testing";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { confirmDeposit, createDeposit } from "../deposits";
import { registerContract, submitRating } from "../contracts";
import { externalAccount, getAccountBalance, postLedgerTransaction, userWalletAccount, verifyLedger } from "../ledger";
import { recordWorkerHeartbeat } from "../system/system-status";
import { createPayout, type CreatePayoutInput } from "./create-payout";

// Creating payouts goes in batches (group commit, one `payouts_create` statement per batch):
// these are the guarantees a batch must keep that one request at a time kept by itself.

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  await recordWorkerHeartbeat({ db: database.db, workerId: "test-worker", hostname: "test", pid: 1 });
});

afterAll(async () => {
  await database?.drop();
});

async function fund(userId: string, amount: bigint) {
  await postLedgerTransaction(database.db, {
    idempotencyKey: `fund:${userId}:${amount}`,
    kind: "deposit",
    postings: [
      { account: externalAccount("mpesa", "KES"), amount: -amount, currency: "KES" },
      { account: userWalletAccount(userId, "KES"), amount, currency: "KES" },
    ],
  });
}

const create = (input: Partial<CreatePayoutInput> & { userId: string }, db = database.db) =>
  createPayout({
    db,
    input: { amount: 1000n, currency: "KES", destination: { type: "mpesa", account: "+254711000001" }, ...input },
    minAmount: 500n,
    maxAttempts: 5,
    audit: { actor: "partner:test", ip: "127.0.0.1" },
  });

const codeOf = (reason: unknown) => (reason instanceof DomainError ? reason.code : String(reason));

describe("creating payouts in batches", () => {
  test("100 racing payouts on each of 5 wallets funded for 10 queue exactly 10 each, with hold, job, event and audit", async () => {
    const users = Array.from({ length: 5 }, (_, i) => `user_race_batch_${i}`);
    for (const user of users) await fund(user, 10_000n);
    // Interleaved, so every batch mixes wallets.
    const results = await Promise.allSettled(Array.from({ length: 500 }, (_, i) => create({ userId: users[i % 5]! })));
    const created = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    const refused = results.flatMap((r) => (r.status === "rejected" ? [codeOf(r.reason)] : []));
    expect(new Set(refused)).toEqual(new Set(["INSUFFICIENT_FUNDS"]));
    for (const user of users) {
      expect(created.filter((p) => p.userId === user)).toHaveLength(10);
      const wallet = await getAccountBalance(database.db, { account: userWalletAccount(user, "KES") });
      expect(wallet).toMatchObject({ posted: 10_000n, held: 10_000n, available: 0n });
    }

    const ids = created.map((p) => p.id);
    const rows = await database.db.$queryRaw<
      Array<{ id: string; status: string; job_id: string | null; hold_status: string; hold_amount: bigint; events: bigint; audits: bigint }>
    >`
      select p.id, p.status, p.job_id,
             h.status as hold_status, h.amount as hold_amount,
             (select count(*) from domain_events e where e.aggregate_id = p.id and e.type = 'payout.queued') as events,
             (select count(*) from audit_logs a where a.target = 'payout:' || p.id and a.action = 'payout.created') as audits
      from payouts p
      left join ledger_holds h on h.id::text = p.hold_id
      where p.id = any(${ids}::text[])`;
    expect(rows).toHaveLength(50);
    const jobs = new Map((await listJobs(database.db.$pool, { ids: rows.flatMap((row) => (row.job_id ? [row.job_id] : [])) })).map((job) => [job.id, job]));
    const in50Years = Date.now() + 50 * 365 * 86_400_000;
    for (const row of rows) {
      expect(row).toMatchObject({ status: "queued", hold_status: "pending", hold_amount: 1000n, events: 1n, audits: 1n });
      // Its job (queued by payouts_create in the same statement) waits for a run.
      const job = jobs.get(row.job_id!);
      expect({ task: job?.task, key: job?.key, far: job!.runAt.getTime() > in50Years }).toEqual({ task: jobTasks.processPayout, key: row.id, far: true });
    }
    // What the caller got is what was stored.
    const first = created[0]!;
    const stored = await database.db.payout.findUniqueOrThrow({ where: { id: first.id } });
    expect({ holdId: first.holdId, jobId: first.jobId, createdAt: first.createdAt, reference: first.reference }).toEqual({
      holdId: stored.holdId,
      jobId: stored.jobId,
      createdAt: stored.createdAt,
      reference: stored.reference,
    });
    expect((await verifyLedger(database.db)).ok).toBe(true);
  });

  test("the same reference sent 20 times at once, from two processes, is one payout; a different body is refused", async () => {
    await fund("user_replay", 100_000n);
    const second = createDb({ connectionString: database.url, maxConnections: 5 });
    try {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => create({ userId: "user_replay", reference: "ref-replay-1" }, i % 2 ? second : database.db)),
      );
      expect(new Set(results.map((r) => r.id)).size).toBe(1);
      expect(results.filter((r) => !r.replayed)).toHaveLength(1);
      expect(await database.db.payout.count({ where: { reference: "ref-replay-1" } })).toBe(1);
      const wallet = await getAccountBalance(database.db, { account: userWalletAccount("user_replay", "KES") });
      expect(wallet.held).toBe(1000n);

      const reused = await create({ userId: "user_replay", reference: "ref-replay-1", amount: 2000n }).catch((e: unknown) => e);
      expect(codeOf(reused)).toBe("IDEMPOTENCY_KEY_REUSED");
      expect((await getAccountBalance(database.db, { account: userWalletAccount("user_replay", "KES") })).held).toBe(1000n);
    } finally {
      await second.$disconnect();
    }
  });

  test("payouts drawing on one contract at once never exceed what it released", async () => {
    const db = database.db;
    await registerContract({
      db,
      input: { id: "contract_batch_draw", consumerId: "user_batch_buyer", producerId: "user_batch_producer", currency: "KES", expectedAmount: 10_000n },
    });
    const deposit = await createDeposit({
      db,
      input: { userId: "user_batch_buyer", amount: 10_000n, currency: "KES", method: "mpesa", reference: "BATCH-DRAW", metadata: { contractId: "contract_batch_draw" } },
      minAmount: 0n,
      chargeStripe: null,
    });
    await confirmDeposit({ db, depositId: deposit.id, confirmedBy: "ops", evidenceUrl: "https://cdn.example.org/r.jpg" });
    await submitRating({ db, raterId: "user_batch_buyer", input: { contractId: "contract_batch_draw", raterRole: "consumer", rating: 3 } });
    // More in the wallet than the contract released: the contract is what limits.
    await fund("user_batch_producer", 50_000n);

    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => create({ userId: "user_batch_producer", contractId: "contract_batch_draw", amount: 3_000n })),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(3);
    const refusals = results.flatMap((r) => (r.status === "rejected" ? [r.reason as DomainError] : []));
    expect(new Set(refusals.map((e) => e.code))).toEqual(new Set(["INSUFFICIENT_FUNDS"]));
    expect(refusals[0]!.details).toMatchObject({ contractId: "contract_batch_draw", available: "1000" });

    const notProducer = await create({ userId: "user_replay", contractId: "contract_batch_draw" }).catch((e: unknown) => e);
    expect(codeOf(notProducer)).toBe("VALIDATION_FAILED");
    const unknown = await create({ userId: "user_batch_producer", contractId: "contract_nope" }).catch((e: unknown) => e);
    expect(codeOf(unknown)).toBe("VALIDATION_FAILED");
  });
});
