import { claimDueStatusChecks } from "@agrinet/stores/payouts";
import type { PayoutRuntime } from "./payout-runtime";
import { checkPayoutStatus, type ProcessPayoutResult } from "./process-payout";

export type SweepStatusChecksOptions = {
  runtime: PayoutRuntime;
  /** Job limit for a payout the provider says it never received (it is sent again). */
  maxAttempts: number;
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
    const due = await claimDueStatusChecks(options.runtime.db.$pool, {
      limit: batchSize,
      leaseMs: Math.max(options.runtime.statusCheckAfterMs, minLeaseMs),
    });
    let next = 0;
    const ask = async () => {
      while (next < due.length) {
        const { payoutId, check } = due[next++]!;
        try {
          const { outcome } = await checkPayoutStatus({ runtime: options.runtime, payoutId, attempt: 1, maxAttempts: options.maxAttempts, check });
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
