import type { Db } from "@agrinet/db";
import { payoutTasks, processPayout, runPayouts, sweepStatusChecks, type PayoutRuntime } from "@agrinet/domain";
import type { Task } from "graphile-worker";
import { z } from "zod";

export type PayoutTaskDeps = {
  db: Db;
  /** The process's one payout runtime (createPayoutRuntime in main.ts): its jobs share its statements. */
  payouts: PayoutRuntime;
};

const processPayload = z.object({ payoutId: z.string(), confirmedNotSent: z.boolean().optional() });

/**
 * graphile-worker's attempt counter is the payout's retry budget: a RetryablePayoutError thrown
 * by the domain fails the job, and graphile-worker runs it again after its exponential backoff
 * (the last attempt marks the payout failed instead of throwing).
 */
export function payoutTaskList(deps: PayoutTaskDeps): Record<string, Task> {
  return {
    [payoutTasks.process]: async (payload, helpers) => {
      const { payoutId, confirmedNotSent } = processPayload.parse(payload);
      const result = await processPayout({
        runtime: deps.payouts,
        payoutId,
        attempt: helpers.job.attempts,
        maxAttempts: helpers.job.max_attempts,
        confirmedNotSent,
      });
      helpers.logger.debug(`payout ${payoutId}: ${result.outcome}`);
    },
    [payoutTasks.statusSweep]: async (_payload, helpers) => {
      const result = await sweepStatusChecks({
        runtime: deps.payouts,
        maxAttempts: helpers.job.max_attempts,
        onCheckError: (payoutId, error) => helpers.logger.error(`payout ${payoutId} status check failed: ${String(error)}`),
      });
      if (result.checked + result.failed > 0) helpers.logger.debug(`status sweep: ${JSON.stringify(result)}`);
    },
    [payoutTasks.autoRun]: async (_payload, helpers) => {
      // The cron only starts the batch; the jobs it makes runnable are this worker's to run.
      const summary = await runPayouts({ db: deps.db, requestedBy: "cron", filters: {}, waitMs: 0 });
      if (!summary.dryRun) helpers.logger.info(`automatic payout run ${summary.batchId}: ${summary.total} payouts`);
    },
  };
}
