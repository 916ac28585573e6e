import { errorStatus } from "@agrinet/core";
import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import {
  confirmDeposit,
  createDeposit,
  externalAccount,
  getAccountBalance,
  handleStripePayoutEvent,
  registerContract,
  runPayouts,
  submitRating,
  userWalletAccount,
} from "@agrinet/domain";
import { describeError } from "@agrinet/router";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { adminPrincipal, eventually, startPayoutHarness, type PayoutCaller, type PayoutHarness } from "../testing/payouts-harness";

type CreateInput = Parameters<PayoutCaller["payouts"]["createPayout"]>[0];

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

const available = async (userId: string, currency: "KES" | "TZS" = "KES") =>
  (await getAccountBalance(database.db, { account: userWalletAccount(userId, currency) })).available;

const domainCode = (error: unknown) => ((error as TRPCError).cause as { code?: string } | undefined)?.code;

// The spec's own example body.
const specBody = {
  userId: "user_prod7",
  amount: 180000,
  currency: "KES",
  destination: { type: "mpesa", account: "+255700123456" },
  contractId: "contract_45ab",
} as const;

/**
 * The spec's payout names contract_45ab: a buyer's deposit funds its escrow and the buyer's +3
 * releases it to user_prod7, whose payout then draws on it.
 */
async function releaseSpecContract(amount: bigint) {
  const db = database.db;
  await registerContract({
    db,
    input: { id: "contract_45ab", consumerId: "user_buyer1", producerId: "user_prod7", currency: "KES", expectedAmount: amount },
  });
  const deposit = await createDeposit({
    db,
    input: { userId: "user_buyer1", amount, currency: "KES", method: "mpesa", reference: "SPEC-45AB", metadata: { contractId: "contract_45ab" } },
    minAmount: 0n,
    chargeStripe: null,
  });
  await confirmDeposit({ db, depositId: deposit.id, confirmedBy: "ops", evidenceUrl: "https://cdn.example.org/r.jpg" });
  await submitRating({ db, raterId: "user_buyer1", input: { contractId: "contract_45ab", raterRole: "consumer", rating: 3 } });
}

describe("payouts through the worker and the Daraja sandbox", () => {
  test("the spec's example is queued with the funds held at once, then a run pays it and the ledger settles it", async () => {
    await releaseSpecContract(500_000n);
    const payout = await harness.caller().payouts.createPayout(specBody);
    expect(payout).toMatchObject({ status: "queued", amount: "180000", currency: "KES", contractId: "contract_45ab" });
    expect(payout.id).toMatch(/^po_/);
    expect(payout.jobId).toMatch(/^\d+$/);
    expect(await available("user_prod7")).toBe(320_000n);

    // Repeating the request with the same reference does not hold the money twice.
    const withReference = await harness.caller().payouts.createPayout({ ...specBody, amount: 1000, reference: "ref-1" });
    const again = await harness.caller().payouts.createPayout({ ...specBody, amount: 1000, reference: "ref-1" });
    expect(again).toMatchObject({ id: withReference.id, replayed: true });
    expect(await available("user_prod7")).toBe(319_000n);

    const summary = await harness.caller().payouts.runPayouts({ currency: "KES" });
    if (summary.dryRun) throw new Error("expected a real run");
    expect(summary).toMatchObject({ processed: 2, failed: 0, queued: 0, total: 2, finished: true });
    expect(summary.jobIds).toHaveLength(2);

    const paid = await harness.caller().payouts.getPayout({ payoutId: payout.id });
    expect(paid.status).toBe("paid");
    expect(paid.providerReference).toBeTruthy();
    expect(paid.batchId).toBe(summary.batchId);
    expect(paid.ledgerSnapshot).toMatchObject({ ledgerTransactionId: expect.any(String) });

    // The held funds moved from the wallet to M-Pesa's clearing account.
    const wallet = await getAccountBalance(database.db, { account: userWalletAccount("user_prod7", "KES") });
    expect(wallet).toMatchObject({ posted: 319_000n, held: 0n, available: 319_000n });
    const settlement = await database.db.ledgerTransaction.findFirstOrThrow({
      where: { kind: "payout_settle", metadata: { path: ["payoutId"], equals: payout.id } },
    });
    expect(settlement.contractId).toBe("contract_45ab");
    const postings = await database.db.ledgerPosting.findMany({ where: { transactionId: settlement.id } });
    expect(postings.map((p) => p.amount).sort()).toEqual([-180_000n, 180_000n]);
    const clearing = await getAccountBalance(database.db, { account: externalAccount("mpesa", "KES") });
    expect(clearing.posted).toBe(-500_000n + 181_000n);

    // The sandbox paid it exactly once, and every status change was announced.
    expect(harness.sandbox.payments().filter((p) => p.originatorConversationId === payout.id)).toHaveLength(1);
    const events = await database.db.domainEvent.findMany({ where: { aggregateId: payout.id }, orderBy: { id: "asc" } });
    expect(events.map((e) => e.type)).toEqual(["payout.queued", "payout.processing", "payout.paid"]);

    const batch = await harness.caller().payouts.getPayoutBatch({ batchId: summary.batchId });
    expect(batch).toMatchObject({ total: 2, processed: 2, failed: 0, queued: 0, totals: { KES: "181000" } });
  });

  test("a number M-Pesa refuses ends failed and the funds are available again", async () => {
    await harness.fund("user_fail", 10_000n);
    const payout = await harness.caller().payouts.createPayout({
      userId: "user_fail",
      amount: 4000,
      currency: "KES",
      destination: { type: "mpesa", account: "+254700000002" },
    });
    expect(await available("user_fail")).toBe(6_000n);
    const summary = await harness.caller().payouts.runPayouts({ destinationType: "mpesa" });
    expect(summary).toMatchObject({ processed: 0, failed: 1, queued: 0 });
    const failed = await harness.caller().payouts.getPayout({ payoutId: payout.id });
    expect(failed.status).toBe("failed");
    expect(failed.lastError).toContain("MPESA_2040");
    expect(await available("user_fail")).toBe(10_000n);
    expect(harness.sandbox.payments().some((p) => p.originatorConversationId === payout.id)).toBe(false);
  });

  test("a retry after a final failure is a new request to the changed number, paid once; the old request's callbacks change nothing", async () => {
    await harness.fund("user_redirect", 10_000n);
    const payout = await harness.caller().payouts.createPayout({
      userId: "user_redirect",
      amount: 4000,
      currency: "KES",
      destination: { type: "mpesa", account: "+254700000002" },
    });
    expect(payout.providerKey).toBe(payout.id);
    await harness.caller().payouts.runPayouts({ destinationType: "mpesa" });
    expect((await harness.caller().payouts.getPayout({ payoutId: payout.id })).status).toBe("failed");

    // While the outcome is unknown the destination cannot change; after the final failure it can.
    // The sandbox pays +254700000003 but never calls back: the new request stays in flight until
    // the status check, while the old request's callbacks arrive.
    const retried = await harness.caller().payouts.retryPayout({ payoutId: payout.id, destination: { type: "mpesa", account: "+254700000003" } });
    expect(retried).toMatchObject({ status: "queued", providerKey: `${payout.id}-a2`, destination: { type: "mpesa", account: "+254700000003" } });
    const sent = await eventually(
      async () => harness.sandbox.payments().filter((p) => p.originatorConversationId.startsWith(payout.id)),
      (payments) => payments.length > 0,
    );
    expect(sent.map((p) => [p.originatorConversationId, p.partyB, p.amount])).toEqual([[`${payout.id}-a2`, "254700000003", 40]]);

    const callback = (path: string, query: Record<string, string>, body: unknown) =>
      fetch(`${harness.apiUrl}/payments/mpesa${path}?${new URLSearchParams({ token: harness.workerEnv.MPESA_CALLBACK_TOKEN!, ...query })}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const oldFailure = {
      Result: {
        ResultType: 0,
        ResultCode: 2040,
        ResultDesc: "Credit Party customer type (Unregistered or Registered Customer) can't be supported by the service.",
        OriginatorConversationID: payout.id,
        ConversationID: "AG_OLD_REQUEST",
        TransactionID: "OLDTXN0001",
      },
    };
    for (const answer of [
      await callback("/b2c/result", {}, oldFailure),
      await callback("/b2c/timeout", {}, oldFailure),
      await callback("/status/result", { key: payout.id }, oldFailure),
      await callback("/status/result", { payoutId: payout.id }, oldFailure),
    ]) {
      expect(answer.status).toBe(200);
    }
    const during = await harness.caller().payouts.getPayout({ payoutId: payout.id });
    expect(during.status).not.toBe("failed");

    const paid = await eventually(
      () => harness.caller().payouts.getPayout({ payoutId: payout.id }),
      (p) => p.status === "paid",
    );
    expect(paid).toMatchObject({ status: "paid", providerKey: `${payout.id}-a2` });
    expect(harness.sandbox.payments().filter((p) => p.originatorConversationId.startsWith(payout.id))).toHaveLength(1);
    expect(await available("user_redirect")).toBe(6_000n);
    const attempts = await harness.caller().payouts.listPayoutAttempts({ payoutId: payout.id });
    expect(attempts.attempts.map((a) => [a.attempt, a.outcome, a.providerKey, (a.destination as { account: string }).account])).toEqual([
      [1, "failed", payout.id, "+254700000002"],
      [2, "paid", `${payout.id}-a2`, "+254700000003"],
    ]);
    // The destination change is in the audit log, and saved for the user.
    const audit = await database.db.auditLog.findFirst({ where: { action: "payout.retried", target: `payout:${payout.id}` } });
    expect(audit?.metadata).toMatchObject({ status: "failed", providerKey: `${payout.id}-a2`, destinationTo: expect.stringMatching(/0003$/) });
    // A paid payout cannot be sent anywhere else.
    await expect(
      harness.caller().payouts.retryPayout({ payoutId: payout.id, destination: { type: "mpesa", account: "+254708374149" } }),
    ).rejects.toMatchObject({ cause: { code: "INVALID_STATE" } });
  });

  test("no callback: the status query settles it; a duplicate callback pays nothing twice", async () => {
    await harness.fund("user_async", 20_000n);
    const silent = await harness.caller().payouts.createPayout({
      userId: "user_async",
      amount: 3000,
      currency: "KES",
      destination: { type: "mpesa", account: "+254700000003" },
    });
    const duplicate = await harness.caller().payouts.createPayout({
      userId: "user_async",
      amount: 2000,
      currency: "KES",
      destination: { type: "mpesa", account: "+254700000004" },
    });
    await harness.caller().payouts.runPayouts({ currency: "KES" });
    for (const id of [silent.id, duplicate.id]) {
      const payout = await eventually(
        () => harness.caller().payouts.getPayout({ payoutId: id }),
        (p) => p.status === "paid",
      );
      expect(payout.status).toBe("paid");
      expect(harness.sandbox.payments().filter((p) => p.originatorConversationId === id)).toHaveLength(1);
    }
    expect(await available("user_async")).toBe(15_000n);
  });

  test("a transient provider error is retried with the same payout id and paid once", async () => {
    await harness.fund("user_retry", 10_000n);
    const payout = await harness.caller().payouts.createPayout({
      userId: "user_retry",
      amount: 1000,
      currency: "KES",
      destination: { type: "mpesa", account: "+254700000006" },
    });
    await harness.caller().payouts.runPayouts({ currency: "KES" });
    const paid = await eventually(
      () => harness.caller().payouts.getPayout({ payoutId: payout.id }),
      (p) => p.status === "paid",
    );
    expect(paid.status).toBe("paid");
    expect(paid.attempts).toBeGreaterThanOrEqual(2);
    expect(harness.sandbox.payments().filter((p) => p.originatorConversationId === payout.id)).toHaveLength(1);
  });

  test("bad input names the field; too little money is INSUFFICIENT_FUNDS with the available amount", async () => {
    const create = (body: Record<string, unknown>) =>
      harness.caller().payouts.createPayout({ ...specBody, userId: "user_poor", ...body } as CreateInput).catch((e: unknown) => e);
    const small = await create({ amount: 499 });
    expect(domainCode(small)).toBe("VALIDATION_FAILED");
    expect((small as TRPCError).message).toContain("amount");
    const phone = await create({ destination: { type: "mpesa", account: "+15550001111" } });
    expect((phone as TRPCError).code).toBe("BAD_REQUEST");
    expect(describeError((phone as TRPCError).cause).fields.map((f) => f.path)).toEqual(["destination.account"]);
    const mismatch = await create({ currency: "UGX", destination: { type: "mpesa", account: "+255712345678" } });
    expect(domainCode(mismatch)).toBe("VALIDATION_FAILED");
    expect((mismatch as TRPCError).message).toContain("destination");

    await harness.fund("user_poor", 1_000n);
    const poor = await create({ amount: 5_000 });
    expect(domainCode(poor)).toBe("INSUFFICIENT_FUNDS");
    expect(errorStatus.INSUFFICIENT_FUNDS.http).toBe(400);
    expect(JSON.stringify(((poor as TRPCError).cause as { details?: unknown }).details)).toContain("1000");
  });

  test("100 concurrent payouts against a balance for 10 queue exactly 10", async () => {
    await harness.fund("user_race", 10_000n);
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, () =>
        harness.caller().payouts.createPayout({
          userId: "user_race",
          amount: 1000,
          currency: "KES",
          destination: { type: "mpesa", account: "+254712345678" },
        }),
      ),
    );
    const queued = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(queued).toHaveLength(10);
    expect(new Set(refused.map((r) => domainCode(r.reason) ?? String(r.reason)))).toEqual(new Set(["INSUFFICIENT_FUNDS"]));
    expect(await available("user_race")).toBe(0n);
    expect(await database.db.payout.count({ where: { userId: "user_race", status: "queued" } })).toBe(10);
  });

  test("cancel releases a queued payout; access rules keep partners and users to their rights", async () => {
    await harness.fund("user_cancel", 5_000n);
    const payout = await harness.caller().payouts.createPayout({
      userId: "user_cancel",
      amount: 5000,
      currency: "KES",
      destination: { type: "stripe", account: "acct_1TestAccount" },
    });
    const cancelled = await harness.caller().payouts.cancelPayout({ payoutId: payout.id, reason: "duplicate" });
    expect(cancelled.status).toBe("cancelled");
    expect(await available("user_cancel")).toBe(5_000n);

    const reader = harness.caller({ kind: "partner", partnerId: "partner_default", keyId: "k1", name: "reader", scopes: ["payouts:read"] });
    await expect(reader.payouts.getPayout({ payoutId: payout.id })).resolves.toMatchObject({ id: payout.id });
    await expect(reader.payouts.createPayout(specBody)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(reader.payouts.runPayouts({})).rejects.toMatchObject({ code: "FORBIDDEN" });
    const owner = harness.caller({ kind: "user", partnerId: "partner_default", userId: "user_cancel" });
    await expect(owner.payouts.getPayout({ payoutId: payout.id, userId: "user_cancel" })).resolves.toMatchObject({ id: payout.id });
    const stranger = harness.caller({ kind: "user", partnerId: "partner_default", userId: "user_other" });
    await expect(stranger.payouts.getPayout({ payoutId: payout.id, userId: "user_other" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  test("bank payouts: exported as CSV, then marked paid by an operator", async () => {
    await harness.fund("user_bank", 50_000n);
    const payout = await harness.caller().payouts.createPayout({
      userId: "user_bank",
      amount: 25_000,
      currency: "KES",
      destination: { type: "bank", account: "0123456789", accountName: "Amina W.", bankCode: "KCBLKENX" },
    });
    const exported = await harness.caller().payouts.exportBankBatch({});
    expect(exported.count).toBe(1);
    expect(exported.csv).toContain(payout.id);
    expect(exported.csv).toContain("0123456789");
    const marked = await harness.caller().payouts.markBankPayout({ payoutId: payout.id, outcome: "paid", receipt: "KCB-889" });
    expect(marked).toMatchObject({ status: "paid", providerReference: "KCB-889" });
    expect(await available("user_bank")).toBe(25_000n);
  });

  test("a Stripe transfer.created event settles a payout the worker sent but did not record", async () => {
    await harness.fund("user_stripe", 9_000n);
    const payout = await harness.caller().payouts.createPayout({
      userId: "user_stripe",
      amount: 9000,
      currency: "KES",
      destination: { type: "stripe", account: "acct_1StripeProducer" },
    });
    const event = (type: string) => ({
      id: `evt_${type}`,
      type,
      data: { object: { id: "tr_123", object: "transfer", metadata: { payoutId: payout.id } } },
    });
    // Not sent yet: a transfer event cannot be about it.
    expect(await handleStripePayoutEvent({ db: database.db, event: event("transfer.created") })).toMatchObject({ action: "ignored" });
    await database.db.payout.update({ where: { id: payout.id }, data: { status: "processing", attempts: 1 } });
    expect(await handleStripePayoutEvent({ db: database.db, event: event("transfer.created") })).toMatchObject({ action: "settled" });
    expect(await handleStripePayoutEvent({ db: database.db, event: event("transfer.updated") })).toMatchObject({ action: "already-final" });
    const paid = await harness.caller().payouts.getPayout({ payoutId: payout.id });
    expect(paid).toMatchObject({ status: "paid", providerReference: "tr_123" });
    expect((await getAccountBalance(database.db, { account: externalAccount("stripe", "KES") })).posted).toBe(9_000n);
  });

  test("dry run reports totals per currency and changes nothing", async () => {
    const before = await database.db.payout.count({ where: { status: "queued", batchId: null } });
    const dry = await harness.caller().payouts.runPayouts({ dryRun: true });
    if (!dry.dryRun) throw new Error("expected a dry run");
    expect(dry.count).toBe(before);
    expect(dry.totals.reduce((n, t) => n + t.count, 0)).toBe(before);
    expect(await database.db.payout.count({ where: { status: "queued", batchId: null } })).toBe(before);
  });

  test("waitSeconds 0 answers with the batch id at once; the batch is then followed to its end", async () => {
    // UGX: the only payout in that currency, so the run takes it alone.
    await harness.fund("user_follow", 10_000n, "UGX");
    // The sandbox answers this number's payment seconds later, so the run cannot be done yet.
    const slow = await harness.caller().payouts.createPayout({
      userId: "user_follow",
      amount: 2500,
      currency: "UGX",
      destination: { type: "mpesa", account: "+256700000005" },
    });
    const summary = await harness.caller().payouts.runPayouts({ currency: "UGX", waitSeconds: 0 });
    if (summary.dryRun) throw new Error("expected a real run");
    expect(summary).toMatchObject({ total: 1, queued: 1, finished: false });
    const batch = await eventually(
      () => harness.caller().payouts.getPayoutBatch({ batchId: summary.batchId }),
      (progress) => progress.queued === 0,
    );
    expect(batch).toMatchObject({ total: 1, processed: 1, failed: 0, queued: 0 });
    expect((await harness.caller().payouts.getPayout({ payoutId: slow.id })).status).toBe("paid");
  });

  test("a run takes its payouts a chunk per transaction and counts every chunk", async () => {
    // TZS: no other test pays in it, so the run takes exactly these five.
    await harness.fund("user_chunks", 100_000n, "TZS");
    const created = [];
    for (let i = 0; i < 5; i++) {
      created.push(
        await harness.caller().payouts.createPayout({
          userId: "user_chunks",
          amount: 1000 + 100 * i,
          currency: "TZS",
          destination: { type: "mpesa", account: `+25571234560${i}` },
        }),
      );
    }
    const summary = await runPayouts({ db: database.db, requestedBy: "test", filters: { currency: "TZS" }, chunkSize: 2, waitMs: 30_000 });
    if (summary.dryRun) throw new Error("expected a real run");
    expect(summary).toMatchObject({ total: 5, processed: 5, failed: 0, queued: 0, finished: true });
    expect(summary.totals).toEqual([{ currency: "TZS", count: 5, amount: 6000n }]);
    expect(new Set(summary.jobIds)).toEqual(new Set(created.map((p) => p.jobId)));
    const batch = await harness.caller().payouts.getPayoutBatch({ batchId: summary.batchId });
    expect(batch).toMatchObject({ total: 5, processed: 5, totals: { TZS: "6000" } });
    const payouts = await database.db.payout.findMany({ where: { userId: "user_chunks" } });
    expect(payouts.map((p) => [p.status, p.batchId])).toEqual(Array(5).fill(["paid", summary.batchId]));
  });

  test("callbacks without the secret token are refused", async () => {
    const response = await fetch(`${harness.apiUrl}/payments/mpesa/b2c/result?token=wrong`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ Result: { ResultCode: 0, OriginatorConversationID: "po_x" } }),
    });
    expect(response.status).toBe(401);
  });

  test("with no worker alive, creating and running payouts answer 503 WORKER_OFFLINE", async () => {
    await harness.stop();
    await database.db.workerHeartbeat.deleteMany();
    await harness.fund("user_offline", 5_000n);
    const create = await harness
      .caller(adminPrincipal)
      .payouts.createPayout({ ...specBody, userId: "user_offline", amount: 1000 })
      .catch((e: unknown) => e);
    expect(domainCode(create)).toBe("WORKER_OFFLINE");
    expect((create as TRPCError).code).toBe("SERVICE_UNAVAILABLE");
    expect((create as TRPCError).message).toContain("pnpm start");
    const run = await harness.caller().payouts.runPayouts({}).catch((e: unknown) => e);
    expect(domainCode(run)).toBe("WORKER_OFFLINE");
    expect(await available("user_offline")).toBe(5_000n);
  });
});
