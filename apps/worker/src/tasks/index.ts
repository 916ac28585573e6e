import type { Db } from "@agrinet/db";
import { deliverWebhookTask } from "@agrinet/domain";
import type { TaskList } from "graphile-worker";
import { deliverWebhook } from "./deliver-webhook";

export type TaskDependencies = { db: Db; webhookTimeoutMs?: number };

/** Every job the worker runs, by task identifier. */
export function createTaskList(deps: TaskDependencies): TaskList {
  return {
    [deliverWebhookTask]: deliverWebhook({ db: deps.db, timeoutMs: deps.webhookTimeoutMs }),
  };
}
