import { parseProviderKey, type PayoutOutcome, type PayoutRail, type PayoutRailName, type PayoutStatus as RailStatus } from "@agrinet/rails";
import { addPayoutJob } from "@agrinet/job-queue";
import { lockProcessingPayout } from "@agrinet/stores/payouts";
import type { PayoutDestination } from "./payout-destination";
import { payoutTransactionLimits } from "./payout-jobs";
import type { PayoutRuntime } from "./payout-runtime";
import { markPayoutFailed, recordPayoutAttemptError } from "./payout-transitions";

/** The rails the worker (and the callback handlers) may use, by destination type. */
export type RailsByDestination = Partial<Record<PayoutRailName, PayoutRail>>;

/** Thrown so the job queue retries the job with its exponential backoff. */
export class RetryablePayoutError extends Error {
  constructor(readonly code: string, message: string) {
    super(`${code}: ${message}`);
    this.name = "RetryablePayoutError";
  }
}

export type ProcessPayoutOptions = {
  runtime: PayoutRuntime;
  payoutId: string;
  /** This job attempt (1-based) and the job's limit, from the job queue. */
  attempt: number;
  maxAttempts: number;
  /** From the job payload: the provider said it never received this payout. */
  confirmedNotSent?: boolean;
};

export type ProcessPayoutResult =
  | { outcome: "paid" | "failed" | "already-final" | "awaiting-result" | "missing" };

/**
 * One attempt at paying a payout. The rail is given the request's provider key as its
 * idempotency key (the payout id, or `<id>-a<n>` after an operator's retry of a final failure);
 * and when an earlier attempt may have reached the provider with that key (the worker crashed,
 * or the provider did not answer), the provider is asked first, so a payout is never sent twice.
 */
export async function processPayout(options: ProcessPayoutOptions): Promise<ProcessPayoutResult> {
  const { runtime, payoutId } = options;
  const started = await runtime.start(payoutId);
  if (!started) return { outcome: "missing" };
  if (!started.status) return { outcome: "already-final" };
  const payout = {
    destinationType: started.destinationType!,
    destination: started.destination,
    amount: started.amount!,
    currency: started.currency!,
  };
  // A retry of this job, or an earlier job for this payout, may have reached the provider with
  // this key; unless this attempt is the first with its key (a retry after a final failure).
  const { providerKey } = started;
  const firstWithKey = parseProviderKey(providerKey).attempt === started.previousAttempts + 1;
  const earlierSend = !options.confirmedNotSent && !firstWithKey && (started.previousAttempts > 0 || started.previousRequestId !== null);
  const mayHaveReachedProvider = options.attempt > 1 || earlierSend;

  const rail = runtime.rails[payout.destinationType as PayoutRailName];
  if (!rail) {
    throw new RetryablePayoutError("RAIL_NOT_CONFIGURED", `no ${payout.destinationType} rail is configured on this worker`);
  }

  if (mayHaveReachedProvider) {
    const status = await rail.queryStatus(providerKey);
    if (status.kind !== "not-found") {
      return applyRailOutcome({ ...options, outcome: withoutQueryReference(status) });
    }
  }
  const destination = payout.destination as PayoutDestination;
  const outcome = await rail.send({
    payoutId,
    providerKey,
    amount: payout.amount,
    currency: payout.currency,
    destination,
    remarks: `Agrinet payout ${payoutId}`,
  });
  return applyRailOutcome({ ...options, outcome });
}

export type ApplyRailOutcomeOptions = {
  runtime: PayoutRuntime;
  payoutId: string;
  outcome: PayoutOutcome | RailStatus;
  attempt: number;
  maxAttempts: number;
  /** Status checks already made for this payout (they back off and stop). */
  statusChecks?: number;
};

/** Turns what a rail (or a verified callback) said into the payout's next state. */
export async function applyRailOutcome(options: ApplyRailOutcomeOptions): Promise<ProcessPayoutResult> {
  const { runtime, payoutId, outcome } = options;
  const { db } = runtime;
  switch (outcome.kind) {
    case "paid":
      await runtime.settle({ payoutId, providerReference: outcome.providerReference });
      return { outcome: "paid" };
    case "failed-final":
      await markPayoutFailed(db, {
        payoutId,
        error: `${outcome.code}: ${outcome.message}`,
        ...(outcome.providerReference ? { providerReference: outcome.providerReference } : {}),
      });
      return { outcome: "failed" };
    case "retryable":
      if (options.attempt >= options.maxAttempts) {
        await markPayoutFailed(db, {
          payoutId,
          error: `${outcome.code}: ${outcome.message} (gave up after ${options.attempt} attempts)`,
        });
        return { outcome: "failed" };
      }
      await recordPayoutAttemptError(db, { payoutId, error: `${outcome.code}: ${outcome.message}` });
      throw new RetryablePayoutError(outcome.code, outcome.message);
    case "pending-callback": {
      const check = (options.statusChecks ?? 0) + 1;
      await runtime.awaitResult({
        payoutId,
        check,
        afterMs: runtime.statusCheckAfterMs * 2 ** (check - 1),
        ...(outcome.providerReference ? { providerRequestId: outcome.providerReference } : {}),
      });
      return { outcome: "awaiting-result" };
    }
    case "not-found":
      // The provider never received it: send it (again) now, same payout id — but only a payout
      // a worker already started. A queued one waits for its run: a callback that names it (which
      // must be forged, nothing was sent) may not start it.
      await db.$transaction(async (tx) => {
        if (!(await lockProcessingPayout(tx, payoutId))) return;
        const jobId = await addPayoutJob(tx, {
          payoutId,
          maxAttempts: options.maxAttempts,
          runNow: true,
          confirmedNotSent: true,
        });
        await tx.payout.update({ where: { id: payoutId }, data: { jobId, providerRequestId: null } });
      }, payoutTransactionLimits);
      return { outcome: "awaiting-result" };
  }
}

export type CheckPayoutStatusOptions = {
  runtime: PayoutRuntime;
  payoutId: string;
  attempt: number;
  maxAttempts: number;
  /** Which check this is (from the job payload). */
  check: number;
};

/** The result did not arrive in time: ask the provider (M-Pesa answers on the status callback). */
export async function checkPayoutStatus(options: CheckPayoutStatusOptions): Promise<ProcessPayoutResult> {
  const payout = await options.runtime.db.payout.findUnique({ where: { id: options.payoutId } });
  if (!payout) return { outcome: "missing" };
  if (payout.status !== "processing") return { outcome: "already-final" };
  const rail = options.runtime.rails[payout.destinationType as PayoutRailName];
  if (!rail) throw new RetryablePayoutError("RAIL_NOT_CONFIGURED", `no ${payout.destinationType} rail is configured`);
  const status = await rail.queryStatus(payout.providerKey ?? payout.id);
  // A "retryable" answer to a status query means "ask again later", never "give up".
  return applyRailOutcome({
    ...options,
    outcome: status.kind === "retryable" ? { kind: "pending-callback" } : withoutQueryReference(status),
    statusChecks: options.check,
  });
}

/**
 * "Accepted, the answer comes later" to a status query carries the query's own ConversationID:
 * it names the query, not the payment, so it must not replace the request id the payment's
 * result callback is checked against.
 */
function withoutQueryReference(status: RailStatus): RailStatus {
  return status.kind === "pending-callback" ? { kind: "pending-callback" } : status;
}
