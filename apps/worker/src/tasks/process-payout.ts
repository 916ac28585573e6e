import { processPayout, type PayoutRuntime } from "@agrinet/domain";
import type { JobTask } from "@agrinet/job-queue";
import { z } from "zod";

const payloadSchema = z.object({ payoutId: z.string(), confirmedNotSent: z.boolean().optional() });

/**
 * The job's attempt counter is the payout's retry budget: a RetryablePayoutError thrown by the
 * domain fails the job, and the queue runs it again after its exponential backoff (the last
 * attempt marks the payout failed instead of throwing).
 */
export function processPayoutTask(payouts: PayoutRuntime): JobTask<"processPayout"> {
  return async (payload, helpers) => {
    const { payoutId, confirmedNotSent } = payloadSchema.parse(payload);
    const result = await processPayout({
      runtime: payouts,
      payoutId,
      attempt: helpers.job.attempts,
      maxAttempts: helpers.job.max_attempts,
      confirmedNotSent,
    });
    helpers.logger.debug(`payout ${payoutId}: ${result.outcome}`);
  };
}
