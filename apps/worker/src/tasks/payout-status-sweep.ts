import { sweepStatusChecks, type PayoutRuntime } from "@agrinet/domain";
import type { JobTask } from "@agrinet/job-queue";

/** Asks the provider about every processing payout whose status check is due. */
export function payoutStatusSweepTask(payouts: PayoutRuntime): JobTask<"payoutStatusSweep"> {
  return async (_payload, helpers) => {
    const result = await sweepStatusChecks({
      runtime: payouts,
      maxAttempts: helpers.job.max_attempts,
      onCheckError: (payoutId, error) => helpers.logger.error(`payout ${payoutId} status check failed: ${String(error)}`),
    });
    if (result.checked + result.failed > 0) helpers.logger.debug(`status sweep: ${JSON.stringify(result)}`);
  };
}
