/**
 * Every payout transaction's limits. Many payouts against one wallet (or settling into one
 * clearing account) queue on the same balance row, and under a burst they wait for a connection
 * and that lock longer than Prisma's defaults (2 s, 5 s): a wait, not an error.
 */
export const payoutTransactionLimits = { maxWait: 15_000, timeout: 30_000 };

/** Planning a payout's next status check is the payouts store's statement (it queues the sweep too). */
export { scheduleStatusCheck } from "@agrinet/stores/payouts";

/** Status checks back off (1×, 2×, 4× … the callback wait) and stop after this many. */
export const maxStatusChecks = 8;
