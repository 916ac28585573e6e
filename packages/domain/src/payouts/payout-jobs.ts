import type { Tx } from "@agrinet/db";

/**
 * Every payout transaction's limits. Many payouts against one wallet (or settling into one
 * clearing account) queue on the same balance row, and under a burst they wait for a connection
 * and that lock longer than Prisma's defaults (2 s, 5 s): a wait, not an error.
 */
export const payoutTransactionLimits = { maxWait: 15_000, timeout: 30_000 };

/** graphile-worker task identifiers for payouts. */
export const payoutTasks = {
  process: "payouts:process",
  /**
   * Asks the provider about every accepted payout whose result has not arrived by its
   * `status_check_at` (one job per second of due times: schedule_payout_status_sweeps).
   */
  statusSweep: "payouts:status-sweep",
  autoRun: "payouts:auto-run",
} as const;

/**
 * A queued payout's job waits for a batch run (`POST /admin/payouts/run` or the cron): it is
 * added with the payout, in the same transaction, but scheduled this far ahead so no worker
 * takes it until a run brings it forward.
 */
export const awaitingRunDelay = "100 years";

export type EnqueuePayoutJobOptions = {
  payoutId: string;
  maxAttempts: number;
  /** true: runnable now (a retry or a run); false: waits for a batch run. */
  runNow: boolean;
  /** The provider confirmed it never received this payout: the job may send without asking. */
  confirmedNotSent?: boolean;
};

/** Adds (or replaces, by job_key = payout id) the payout's job; returns graphile-worker's job id. */
export async function enqueuePayoutJob(tx: Tx, options: EnqueuePayoutJobOptions): Promise<string> {
  const rows = await tx.$queryRaw<Array<{ id: bigint }>>`
    select id from graphile_worker.add_job(
      ${payoutTasks.process},
      json_build_object('payoutId', ${options.payoutId}::text, 'confirmedNotSent', ${options.confirmedNotSent ?? false}::boolean),
      job_key => ${options.payoutId}::text,
      max_attempts => ${options.maxAttempts}::int,
      run_at => case when ${options.runNow}::boolean then now() else now() + ${awaitingRunDelay}::interval end
    )`;
  return rows[0]!.id.toString();
}

/**
 * Plans status check number `check` of a processing payout in `afterMs` (replacing any planned
 * one), with the sweep job that will run it, in the caller's transaction.
 */
export async function scheduleStatusCheck(tx: Tx, options: { payoutId: string; afterMs: number; check: number }) {
  await tx.$executeRaw`
    with planned as (
      update payouts set status_check = ${options.check}::int,
                         status_check_at = now() + make_interval(secs => ${options.afterMs / 1000}::double precision)
      where id = ${options.payoutId}
      returning status_check_at
    )
    select schedule_payout_status_sweeps(array(select status_check_at from planned))`;
}

/** Status checks back off (1×, 2×, 4× … the callback wait) and stop after this many. */
export const maxStatusChecks = 8;
