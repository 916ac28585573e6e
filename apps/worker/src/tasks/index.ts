import { deliverWebhookTask, stkSweepTask, sweepStkQueries, type MpesaCollectionsSettings } from "@agrinet/domain";
import type { TaskList } from "graphile-worker";
import { deliverWebhook } from "./deliver-webhook";
import { payoutTaskList, type PayoutTaskDeps } from "./payout-tasks";
import { recordDefaultRatingsTask } from "./record-default-ratings";
import { reconciliationRunTask } from "./reconciliation-run";

export type TaskDeps = PayoutTaskDeps & {
  webhookTimeoutMs?: number;
  /** M-Pesa collections; null: STK sweeps find nothing to do (none can have been sent). */
  collections?: MpesaCollectionsSettings | null;
};

/** Every job the worker runs, by task identifier. */
export function createTaskList(deps: TaskDeps): TaskList {
  return {
    ...payoutTaskList(deps),
    [deliverWebhookTask]: deliverWebhook({ db: deps.db, timeoutMs: deps.webhookTimeoutMs }),
    contracts_record_default_ratings: recordDefaultRatingsTask(deps.db),
    reconciliation_run: reconciliationRunTask(deps.db),
    [stkSweepTask]: async (_payload, helpers) => {
      if (!deps.collections) return;
      const result = await sweepStkQueries({
        db: deps.db,
        settings: deps.collections,
        onError: (paymentId, error) => helpers.logger.error(`STK query of M-Pesa payment ${paymentId} failed: ${String(error)}`),
      });
      if (result.asked + result.settled > 0) helpers.logger.debug(`STK sweep: ${JSON.stringify(result)}`);
    },
  };
}

/** Recurring jobs (graphile-worker crontab syntax); cron keeps one run per slot across workers. */
export const recurringTasks = [
  "* * * * * contracts_record_default_ratings ?max=1",
  "*/15 * * * * reconciliation_run ?max=1",
  // STK sweeps are scheduled for each due query; this one a minute is the net under them.
  `* * * * * ${stkSweepTask} ?max=1`,
];
