import type { Db } from "@agrinet/db";
import { runPayouts } from "@agrinet/domain";
import type { JobTask } from "@agrinet/job-queue";

/** PAYOUTS_AUTO_RUN_CRON: the cron only starts the batch; the jobs it makes runnable are the workers' to run. */
export function payoutAutoRunTask(db: Db): JobTask<"payoutAutoRun"> {
  return async (_payload, helpers) => {
    const summary = await runPayouts({ db, requestedBy: "cron", filters: {}, waitMs: 0 });
    if (!summary.dryRun) helpers.logger.info(`automatic payout run ${summary.batchId}: ${summary.total} payouts`);
  };
}
