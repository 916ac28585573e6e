import type { Tx } from "@agrinet/db";

/**
 * Every payout transaction's limits. Many payouts against one wallet (or settling into one
 * clearing account) queue on the same balance row, and under a burst they wait for a connection
 * and that lock longer than Prisma's defaults (2 s, 5 s): a wait, not an error.
 */
export const payoutTransactionLimits = { maxWait: 15_000, timeout: 30_000 };

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
