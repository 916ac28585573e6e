import {
  parseProviderKey,
  checkDarajaB2cResult,
  parseDarajaB2cResult,
  parseDarajaQueueTimeout,
  parseDarajaStatusResult,
  toWholeUnits,
  type DarajaStatusResult,
} from "@agrinet/rails";
import { addPayoutJob } from "@agrinet/job-queue";
import { payoutTransactionLimits } from "./payout-jobs";
import type { PayoutRuntime } from "./payout-runtime";
import { lockPayout, isFinal, recordPayoutAttemptError } from "./payout-transitions";
import { applyRailOutcome } from "./process-payout";
import type { PaidPayout } from "./settle-payouts";
import { recordMpesaPayoutMismatch } from "../reconciliation/record-provider-mismatch";

export type MpesaCallbackOptions = {
  runtime: PayoutRuntime;
  body: unknown;
  /** Job limit for a payout sent again (PAYOUT_MAX_ATTEMPTS). */
  maxAttempts: number;
};

export type MpesaCallbackResult = {
  payoutId: string | null;
  /** stale-request: the callback names an earlier request of the payout (a retry after a final failure replaced it); ignored. */
  action: "unknown-payout" | "already-final" | "stale-request" | "confirming" | "settled" | "failed" | "resending" | "waiting";
};

/**
 * The B2C result callback. Daraja signs nothing, so even with the right URL token a result is
 * only a hint: its ids and amount are checked, and then the transaction-status query (whose
 * answer arrives on the status callback) decides. A duplicate callback asks again; the
 * answer finds the payout already settled. A result for an earlier request of the payout (its
 * OriginatorConversationID is not the payout's current provider key) says nothing about the
 * current one and is ignored: a duplicate of the old failure must not fail the new request.
 */
export async function handleMpesaB2cResult(options: MpesaCallbackOptions): Promise<MpesaCallbackResult> {
  const { db } = options.runtime;
  const result = parseDarajaB2cResult(options.body);
  const payout = await options.runtime.readPayout(result.payoutId);
  if (!payout) return { payoutId: null, action: "unknown-payout" };
  if (isFinal(payout.status)) return { payoutId: payout.id, action: "already-final" };
  if (payout.providerKey !== result.providerKey) return { payoutId: payout.id, action: "stale-request" };
  const check = checkDarajaB2cResult(result, {
    providerKey: payout.providerKey,
    amount: payout.amount,
    currency: payout.currency,
    conversationId: payout.providerRequestId,
  });
  if (!check.ok) {
    await recordPayoutAttemptError(db, {
      payoutId: payout.id,
      error: `M-Pesa result did not match the payout (${check.problems.join("; ")}); asking M-Pesa for its status`,
    });
  }
  return confirmWithStatusQuery(options, payout.id, payout.providerKey);
}

async function confirmWithStatusQuery(options: MpesaCallbackOptions, payoutId: string, providerKey: string): Promise<MpesaCallbackResult> {
  const rail = options.runtime.rails.mpesa;
  if (!rail) return { payoutId, action: "waiting" };
  const status = await rail.queryStatus(providerKey);
  if (status.kind === "pending-callback") return { payoutId, action: "confirming" };
  // A synchronous answer (a transport error, say): the scheduled status check covers it.
  if (status.kind === "retryable") return { payoutId, action: "waiting" };
  const applied = await applyRailOutcome({ runtime: options.runtime, payoutId, outcome: status, attempt: 0, maxAttempts: options.maxAttempts });
  return { payoutId, action: applied.outcome === "paid" ? "settled" : applied.outcome === "failed" ? "failed" : "waiting" };
}

/** The request expired in Daraja's queue: nothing was paid; the job runs again (asking first). */
export async function handleMpesaQueueTimeout(options: MpesaCallbackOptions): Promise<MpesaCallbackResult> {
  const { db } = options.runtime;
  const timeout = parseDarajaQueueTimeout(options.body);
  return db.$transaction(async (tx) => {
    const payout = await lockPayout(tx, timeout.payoutId);
    if (!payout) return { payoutId: null, action: "unknown-payout" as const };
    if (isFinal(payout.status)) return { payoutId: payout.id, action: "already-final" as const };
    if ((payout.providerKey ?? payout.id) !== timeout.providerKey) return { payoutId: payout.id, action: "stale-request" as const };
    const message = timeout.outcome.kind === "retryable" ? `${timeout.outcome.code}: ${timeout.outcome.message}` : "queue timeout";
    const jobId = await addPayoutJob(tx, { payoutId: payout.id, maxAttempts: options.maxAttempts, runNow: true });
    await tx.payout.update({ where: { id: payout.id }, data: { jobId, lastError: message } });
    return { payoutId: payout.id, action: "resending" as const };
  }, payoutTransactionLimits);
}

/**
 * The transaction-status answer about the request with `providerKey` (from the query's
 * ResultURL): the evidence a payout is settled or failed on. A "Completed" whose amount differs
 * from the payout's is not settled: it is left for an operator. Any other answer about an
 * earlier request of the payout is ignored (see handleMpesaB2cResult). A "Completed" settles
 * without reading the payout first: an earlier request is replaced only after M-Pesa called it
 * failed, so it is never "Completed" (and if it were, the money did move: settling is true).
 */
export async function handleMpesaStatusResult(
  options: MpesaCallbackOptions & { providerKey: string },
): Promise<MpesaCallbackResult> {
  const { db } = options.runtime;
  const payoutId = parseProviderKey(options.providerKey).payoutId;
  const paid = completedWithAmount(options.body, options.providerKey);
  if (paid) return settleConfirmed({ ...options, payoutId }, paid);
  const payout = await options.runtime.readPayout(payoutId);
  if (!payout) return { payoutId: null, action: "unknown-payout" };
  if (isFinal(payout.status)) return { payoutId: payout.id, action: "already-final" };
  if (payout.providerKey !== options.providerKey) return { payoutId: payout.id, action: "stale-request" };
  const result = parseDarajaStatusResult(options.body, options.providerKey);
  if (result.status.kind === "paid") {
    const expected = toWholeUnits(payout.amount, payout.currency);
    if (expected === undefined || !Number.isSafeInteger(result.amount) || BigInt(result.amount!) !== expected) {
      await recordPayoutAttemptError(db, {
        payoutId: payout.id,
        error: amountMismatchError(result.receipt, result.amount),
      });
      await recordMpesaPayoutMismatch(db, { payoutId: payout.id, receipt: result.receipt, wholeUnits: result.amount });
      return { payoutId: payout.id, action: "waiting" };
    }
  }
  if (result.status.kind === "retryable" || result.status.kind === "pending-callback") {
    // Still pending at M-Pesa. The status-check chain that started when the payout was sent asks
    // again, backing off, and stops after maxStatusChecks; scheduling from here would restart
    // its count at every "pending" answer and poll forever.
    const why = result.status.kind === "retryable" ? `${result.status.code}: ${result.status.message}` : "not final yet";
    await recordPayoutAttemptError(db, { payoutId: payout.id, error: `M-Pesa status query: ${why}` });
    return { payoutId: payout.id, action: "waiting" };
  }
  const applied = await applyRailOutcome({
    runtime: options.runtime,
    payoutId: payout.id,
    outcome: result.status,
    attempt: 0,
    maxAttempts: options.maxAttempts,
  });
  return {
    payoutId: payout.id,
    action: applied.outcome === "paid" ? "settled" : applied.outcome === "failed" ? "failed" : "waiting",
  };
}

/** What a payout records when M-Pesa confirms another amount than its own. */
function amountMismatchError(receipt: string | undefined, amount: unknown): string {
  return `M-Pesa reports receipt ${receipt} for ${String(amount)}, not this payout's amount: reconcile by hand`;
}

/**
 * A well-formed "Completed" answer with a whole amount: the common case, settled without reading
 * the payout first (payouts_settle checks the amount and the status under its lock). Anything
 * else takes the path that reads the payout.
 */
function completedWithAmount(body: unknown, providerKey: string) {
  let result: DarajaStatusResult;
  try {
    result = parseDarajaStatusResult(body, providerKey);
  } catch {
    return undefined;
  }
  if (result.status.kind !== "paid" || !Number.isSafeInteger(result.amount)) return undefined;
  return { providerReference: result.status.providerReference, amount: BigInt(result.amount!), receipt: result.receipt };
}

async function settleConfirmed(
  options: MpesaCallbackOptions & { payoutId: string },
  paid: NonNullable<ReturnType<typeof completedWithAmount>>,
): Promise<MpesaCallbackResult> {
  const item: PaidPayout = {
    payoutId: options.payoutId,
    providerReference: paid.providerReference,
    confirmed: {
      wholeUnits: paid.amount,
      mismatchError: amountMismatchError(paid.receipt, paid.amount),
    },
  };
  const settled = await options.runtime.settle(item);
  switch (settled.refused) {
    case "unknown-payout":
      return { payoutId: null, action: "unknown-payout" };
    case "already-final":
      return { payoutId: item.payoutId, action: "already-final" };
    case "amount-mismatch":
      await recordMpesaPayoutMismatch(options.runtime.db, { payoutId: item.payoutId, receipt: paid.receipt, wholeUnits: Number(paid.amount) });
      return { payoutId: item.payoutId, action: "waiting" };
    default:
      return { payoutId: item.payoutId, action: "settled" };
  }
}
