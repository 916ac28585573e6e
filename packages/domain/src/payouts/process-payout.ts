import type { Db } from "@agrinet/db";
import type { PayoutOutcome, PayoutRail, PayoutRailName, PayoutStatus as RailStatus } from "@agrinet/rails";
import type { PayoutSettler } from "./mark-payouts-paid";
import type { PayoutDestination } from "./payout-destination";
import { enqueuePayoutJob, maxStatusChecks, payoutTasks, scheduleStatusCheck, payoutTransactionLimits } from "./payout-jobs";
import { isFinal, lockPayout, markPayoutFailed, markPayoutPaid, recordPayoutAttemptError } from "./payout-transitions";

/** The rails the worker (and the callback handlers) may use, by destination type. */
export type RailsByDestination = Partial<Record<PayoutRailName, PayoutRail>>;

/** Thrown so graphile-worker retries the job with its exponential backoff. */
export class RetryablePayoutError extends Error {
  constructor(readonly code: string, message: string) {
    super(`${code}: ${message}`);
    this.name = "RetryablePayoutError";
  }
}

export type ProcessPayoutOptions = {
  db: Db;
  rails: RailsByDestination;
  payoutId: string;
  /** This job attempt (1-based) and the job's limit, from graphile-worker. */
  attempt: number;
  maxAttempts: number;
  /** How long to wait for an asynchronous result before asking the provider. */
  statusCheckAfterMs: number;
  /** From the job payload: the provider said it never received this payout. */
  confirmedNotSent?: boolean;
};

export type ProcessPayoutResult =
  | { outcome: "paid" | "failed" | "already-final" | "awaiting-result" | "missing" };

/**
 * One attempt at paying a payout. The rail is always given the payout id as its idempotency
 * key; and when an earlier attempt may have reached the provider (the worker crashed, or the
 * provider did not answer), the provider is asked first, so a payout is never sent twice.
 */
export async function processPayout(options: ProcessPayoutOptions): Promise<ProcessPayoutResult> {
  const { db, payoutId } = options;
  // One statement instead of a transaction of five round trips: lock the row, move a payout
  // that is not final to `processing` (one more attempt), and emit `payout.processing` the first
  // time, returning what the row looked like before.
  const rows = await db.$queryRaw<
    Array<{
      previousAttempts: number;
      previousRequestId: string | null;
      status: string | null;
      destinationType: string | null;
      destination: unknown;
      amount: bigint | null;
      currency: string | null;
      notified: number;
    }>
  >`
    with current as (
      select id, status, attempts, provider_request_id from payouts where id = ${payoutId} for update
    ),
    updated as (
      update payouts p set status = 'processing', attempts = p.attempts + 1,
                           processing_at = coalesce(p.processing_at, now()), updated_at = now()
      from current c
      where p.id = c.id and c.status not in ('paid', 'failed', 'cancelled')
      returning p.id, p.user_id, p.status, p.destination_type, p.destination, p.amount, p.currency, p.batch_id
    ),
    event as (
      insert into domain_events (type, aggregate_type, aggregate_id, user_ids, payload)
      select 'payout.processing', 'payout', u.id, array[u.user_id],
             jsonb_build_object('payoutId', u.id, 'amount', u.amount::text, 'currency', u.currency, 'batchId', u.batch_id)
      from updated u, current c where c.status = 'queued'
      returning id
    )
    select c.attempts as "previousAttempts", c.provider_request_id as "previousRequestId",
           u.status, u.destination_type as "destinationType", u.destination, u.amount, u.currency,
           (select count(*) from (select pg_notify('domain_events', e.id::text) from event e) n)::int as notified
    from current c left join updated u on true`;
  const started = rows[0];
  if (!started) return { outcome: "missing" };
  if (!started.status) return { outcome: "already-final" };
  const payout = {
    destinationType: started.destinationType!,
    destination: started.destination,
    amount: started.amount!,
    currency: started.currency!,
  };
  // A retry of this job, or an earlier job for this payout, may have reached the provider.
  const earlierSend = !options.confirmedNotSent && (started.previousAttempts > 0 || started.previousRequestId !== null);
  const mayHaveReachedProvider = options.attempt > 1 || earlierSend;

  const rail = options.rails[payout.destinationType as PayoutRailName];
  if (!rail) {
    throw new RetryablePayoutError("RAIL_NOT_CONFIGURED", `no ${payout.destinationType} rail is configured on this worker`);
  }

  if (mayHaveReachedProvider) {
    const status = await rail.queryStatus(payoutId);
    if (status.kind !== "not-found") {
      return applyRailOutcome({ ...options, outcome: withoutQueryReference(status) });
    }
  }
  const destination = payout.destination as PayoutDestination;
  const outcome = await rail.send({
    payoutId,
    amount: payout.amount,
    currency: payout.currency,
    destination,
    remarks: `Agrinet payout ${payoutId}`,
  });
  return applyRailOutcome({ ...options, outcome });
}

export type ApplyRailOutcomeOptions = {
  db: Db;
  payoutId: string;
  outcome: PayoutOutcome | RailStatus;
  attempt: number;
  maxAttempts: number;
  statusCheckAfterMs: number;
  /** Status checks already made for this payout (they back off and stop). */
  statusChecks?: number;
  /** Settles a paid payout in a batch with others (the API's callbacks); else one by one. */
  settle?: PayoutSettler["settle"];
};

/** Turns what a rail (or a verified callback) said into the payout's next state. */
export async function applyRailOutcome(options: ApplyRailOutcomeOptions): Promise<ProcessPayoutResult> {
  const { db, payoutId, outcome } = options;
  switch (outcome.kind) {
    case "paid":
      if (options.settle) await options.settle({ payoutId, providerReference: outcome.providerReference });
      else await markPayoutPaid(db, { payoutId, providerReference: outcome.providerReference });
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
      if (check <= maxStatusChecks && (await awaitResult(db, { payoutId, check, options, outcome }))) {
        return { outcome: "awaiting-result" };
      }
      await db.$transaction(async (tx) => {
        const payout = await lockPayout(tx, payoutId);
        if (!payout || isFinal(payout.status)) return;
        if (outcome.providerReference) {
          await tx.payout.update({ where: { id: payoutId }, data: { providerRequestId: outcome.providerReference } });
        }
        // Bank payouts wait for an operator, not a provider: no status polling for them.
        if (payout.destinationType === "bank") return;
        if (check > maxStatusChecks) {
          await tx.payout.update({
            where: { id: payoutId },
            data: { lastError: `no result from the provider after ${maxStatusChecks} status checks: check it with the provider, then mark it` },
          });
          return;
        }
        await scheduleStatusCheck(tx, { payoutId, check, afterMs: options.statusCheckAfterMs * 2 ** (check - 1) });
      }, payoutTransactionLimits);
      return { outcome: "awaiting-result" };
    }
    case "not-found":
      // The provider never received it: send it (again) now, same payout id — but only a payout
      // a worker already started. A queued one waits for its run: a callback that names it (which
      // must be forged, nothing was sent) may not start it.
      await db.$transaction(async (tx) => {
        const payout = await lockPayout(tx, payoutId);
        if (!payout || payout.status !== "processing") return;
        const jobId = await enqueuePayoutJob(tx, {
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

/**
 * The common case of "accepted, the result comes later" in one statement instead of a
 * transaction of four: store the provider's request id and schedule the status check, both
 * only while the payout is still `processing` and not a bank payout (the row lock the update
 * takes orders it against a settling callback). False when nothing matched, so the caller
 * takes the general path, which decides what else to do.
 */
async function awaitResult(
  db: Db,
  args: { payoutId: string; check: number; options: ApplyRailOutcomeOptions; outcome: { providerReference?: string } },
): Promise<boolean> {
  const { payoutId, check } = args;
  const afterSeconds = (args.options.statusCheckAfterMs * 2 ** (check - 1)) / 1000;
  const rows = await db.$queryRaw<Array<{ id: string }>>`
    with waiting as (
      update payouts set provider_request_id = coalesce(${args.outcome.providerReference ?? null}::text, provider_request_id),
                         updated_at = now()
      where id = ${payoutId} and status = 'processing' and destination_type <> 'bank'
      returning id
    ),
    scheduled as (
      select graphile_worker.add_job(
        ${payoutTasks.checkStatus},
        json_build_object('payoutId', ${payoutId}::text, 'check', ${check}::int),
        job_key => ${`check:${payoutId}`}::text,
        max_attempts => 10,
        run_at => now() + make_interval(secs => ${afterSeconds}::double precision)
      ) as job from waiting
    )
    select waiting.id from waiting, scheduled`;
  return rows.length > 0;
}

export type CheckPayoutStatusOptions = {
  db: Db;
  rails: RailsByDestination;
  payoutId: string;
  attempt: number;
  maxAttempts: number;
  statusCheckAfterMs: number;
  /** Which check this is (from the job payload). */
  check: number;
};

/** The result did not arrive in time: ask the provider (M-Pesa answers on the status callback). */
export async function checkPayoutStatus(options: CheckPayoutStatusOptions): Promise<ProcessPayoutResult> {
  const payout = await options.db.payout.findUnique({ where: { id: options.payoutId } });
  if (!payout) return { outcome: "missing" };
  if (payout.status !== "processing") return { outcome: "already-final" };
  const rail = options.rails[payout.destinationType as PayoutRailName];
  if (!rail) throw new RetryablePayoutError("RAIL_NOT_CONFIGURED", `no ${payout.destinationType} rail is configured`);
  const status = await rail.queryStatus(options.payoutId);
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
