import { deliverWebhookTask } from "@agrinet/domain";
import type { TaskList } from "graphile-worker";
import { deliverWebhook } from "./deliver-webhook";
import { payoutTaskList, type PayoutTaskDeps } from "./payout-tasks";
import { recordDefaultRatingsTask } from "./record-default-ratings";

export type TaskDeps = PayoutTaskDeps & {
  webhookTimeoutMs?: number;
  /** WEBHOOK_ALLOW_PRIVATE_ADDRESSES (default false). */
  webhookAllowPrivateAddresses?: boolean;
};

/** Every job the worker runs, by task identifier. */
export function createTaskList(deps: TaskDeps): TaskList {
  return {
    ...payoutTaskList(deps),
    [deliverWebhookTask]: deliverWebhook({
      db: deps.db,
      timeoutMs: deps.webhookTimeoutMs,
      allowPrivateAddresses: deps.webhookAllowPrivateAddresses,
    }),
    contracts_record_default_ratings: recordDefaultRatingsTask(deps.db),
  };
}

/** Recurring jobs (graphile-worker crontab syntax); cron keeps one run per slot across workers. */
export const recurringTasks = ["* * * * * contracts_record_default_ratings ?max=1"];
