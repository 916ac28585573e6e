import type { Db } from "@agrinet/db";
import type { MpesaCollectionsSettings, PayoutRuntime } from "@agrinet/domain";
import { cronLine, jobTasks, type JobTaskHandlers } from "@agrinet/job-queue";
import { deliverWebhook } from "./deliver-webhook";
import { payoutAutoRunTask } from "./payout-auto-run";
import { payoutStatusSweepTask } from "./payout-status-sweep";
import { processPayoutTask } from "./process-payout";
import { reconciliationRunTask } from "./reconciliation-run";
import { recordDefaultRatingsTask } from "./record-default-ratings";
import { stkSweepTask } from "./stk-sweep";

export type TaskDeps = {
  db: Db;
  /** The process's one payout runtime (createPayoutRuntime in main.ts): its jobs share its statements. */
  payouts: PayoutRuntime;
  webhookTimeoutMs?: number;
  /** WEBHOOK_ALLOW_PRIVATE_ADDRESSES (default false). */
  webhookAllowPrivateAddresses?: boolean;
  /** M-Pesa collections; null: STK sweeps find nothing to do (none can have been sent). */
  collections?: MpesaCollectionsSettings | null;
};

/** Every job the worker runs, one handler per task of the registry (`jobTasks`). */
export function createTaskList(deps: TaskDeps): JobTaskHandlers {
  return {
    [jobTasks.processPayout]: processPayoutTask(deps.payouts),
    [jobTasks.payoutStatusSweep]: payoutStatusSweepTask(deps.payouts),
    [jobTasks.payoutAutoRun]: payoutAutoRunTask(deps.db),
    [jobTasks.deliverWebhook]: deliverWebhook({
      db: deps.db,
      timeoutMs: deps.webhookTimeoutMs,
      allowPrivateAddresses: deps.webhookAllowPrivateAddresses,
    }),
    [jobTasks.stkSweep]: stkSweepTask(deps.db, deps.collections ?? null),
    [jobTasks.recordDefaultRatings]: recordDefaultRatingsTask(deps.db),
    [jobTasks.reconciliationRun]: reconciliationRunTask(deps.db),
  };
}

/** Recurring jobs; cron keeps one run per slot across workers. */
export const recurringTasks = [
  cronLine("* * * * *", jobTasks.recordDefaultRatings),
  cronLine("*/15 * * * *", jobTasks.reconciliationRun),
  // STK sweeps are scheduled for each due query; this one a minute is the net under them.
  cronLine("* * * * *", jobTasks.stkSweep),
];
