import type { Db, Queryable } from "@agrinet/db";
import { checkPayoutStatus, type ProcessPayoutResult, type RailsByDestination } from "./process-payout";
import type { PayoutWorkerBatches } from "./start-payouts";

export type DueStatusCheck = { payoutId: string; check: number };

/**
 * Takes up to `limit` processing payouts whose status check is due, skipping those another
 * sweep holds, and moves their due time `leaseMs` ahead, with the sweep job for that time, in
 * the same statement: a worker that dies before it asks leaves each of them due again then,
 * with the same check number. Asking normally plans the next check, replacing the lease.
 */
export async function claimDueStatusChecks(db: Queryable, options: { limit: number; leaseMs: number }): Promise<DueStatusCheck[]> {
  // Named: each connection plans it once, not every sweep (planning cost PostgreSQL about as much
  // as running it under `pnpm bench:payouts`).
  const { rows } = await db.query<DueStatusCheck>({
    name: "payouts-claim-due-status-checks",
    text: `with due as (
       select id from payouts
       where status = 'processing' and status_check_at <= now()
       order by status_check_at, id
       limit $1
       for update skip locked
     ),
     claimed as (
       update payouts p set status_check_at = now() + make_interval(secs => $2::float8)
       from due where p.id = due.id
       returning p.id, p.status_check, p.status_check_at
     ),
     scheduled as (select schedule_payout_status_sweeps(array(select c.status_check_at from claimed c)) as jobs)
     select c.id as "payoutId", coalesce(c.status_check, 1) as "check" from claimed c, scheduled
     order by c.id`,
    values: [options.limit, options.leaseMs / 1000],
  });
  return rows;
}

export type SweepStatusChecksOptions = {
  db: Db;
  rails: RailsByDestination;
  statusCheckAfterMs: number;
  /** Job limit for a payout the provider says it never received (it is sent again). */
  maxAttempts: number;
  batches?: PayoutWorkerBatches;
  /** Payouts taken per statement, and status queries in flight at once. */
  batchSize?: number;
  concurrency?: number;
  onCheckError?: (payoutId: string, error: unknown) => void;
};

/** A lease never shorter than this, so one sweep does not take back the payouts it just asked about. */
const minLeaseMs = 10_000;

export type SweepResult = { checked: number; failed: number; outcomes: Partial<Record<ProcessPayoutResult["outcome"], number>> };

/**
 * The status sweep: asks the provider about every payout whose result has not arrived by its
 * due time, each with its own check number (so the backoff and the limit stay per payout), until
 * none is due. A check that throws is logged and counted; its lease makes it due again later.
 */
export async function sweepStatusChecks(options: SweepStatusChecksOptions): Promise<SweepResult> {
  const batchSize = options.batchSize ?? 200;
  const concurrency = options.concurrency ?? 16;
  const result: SweepResult = { checked: 0, failed: 0, outcomes: {} };
  for (;;) {
    const due = await claimDueStatusChecks(options.db.$pool, { limit: batchSize, leaseMs: Math.max(options.statusCheckAfterMs, minLeaseMs) });
    let next = 0;
    const ask = async () => {
      while (next < due.length) {
        const { payoutId, check } = due[next++]!;
        try {
          const { outcome } = await checkPayoutStatus({
            db: options.db,
            rails: options.rails,
            payoutId,
            attempt: 1,
            maxAttempts: options.maxAttempts,
            statusCheckAfterMs: options.statusCheckAfterMs,
            check,
            ...(options.batches ? { batches: options.batches } : {}),
          });
          result.checked += 1;
          result.outcomes[outcome] = (result.outcomes[outcome] ?? 0) + 1;
        } catch (error) {
          result.failed += 1;
          options.onCheckError?.(payoutId, error);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, due.length) }, ask));
    if (due.length < batchSize) return result;
  }
}
