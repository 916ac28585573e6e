import type { Db } from "@agrinet/db";
import { runScheduledReconciliation } from "@agrinet/domain";
import type { JobTask } from "@agrinet/job-queue";

/**
 * Cron: the matching runs again for every source with statements, so postings whose window
 * has passed become exceptions and late lines find their postings without anyone uploading.
 */
export function reconciliationRunTask(db: Db): JobTask<"reconciliationRun"> {
  return async (_payload, helpers) => {
    for (const run of await runScheduledReconciliation(db)) {
      if (run.matched || run.exceptionsNew || run.exceptionsResolved) {
        helpers.logger.info(`reconciliation ${run.source}: ${run.matched} matched, ${run.exceptionsNew} new exception(s), ${run.exceptionsResolved} cleared`);
      }
    }
  };
}
