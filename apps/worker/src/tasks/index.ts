import type { Db } from "@agrinet/db";
import { deliverWebhookTask } from "@agrinet/domain";
import type { TaskList } from "graphile-worker";
import { deliverWebhook } from "./deliver-webhook";
import { recordDefaultRatingsTask } from "./record-default-ratings";

export type TaskDependencies = { db: Db; webhookTimeoutMs?: number };

/** Every job the worker runs, by task identifier. */
export function createTaskList(deps: TaskDependencies): TaskList {
  return {
    [deliverWebhookTask]: deliverWebhook({ db: deps.db, timeoutMs: deps.webhookTimeoutMs }),
    contracts_record_default_ratings: recordDefaultRatingsTask(deps.db),
  };
}

/** Recurring jobs (graphile-worker crontab syntax); cron keeps one run per slot across workers. */
export const crontab = ["* * * * * contracts_record_default_ratings ?max=1"].join("\n");
