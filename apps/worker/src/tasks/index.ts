import type { Db } from "@agrinet/db";
import type { TaskList } from "graphile-worker";
import { recordDefaultRatingsTask } from "./record-default-ratings";

export type TaskDependencies = { db: Db };

/** Every job the worker runs, by task identifier. */
export function createTaskList(deps: TaskDependencies): TaskList {
  return {
    contracts_record_default_ratings: recordDefaultRatingsTask(deps.db),
  };
}

/** Recurring jobs (graphile-worker crontab syntax); cron keeps one run per slot across workers. */
export const crontab = ["* * * * * contracts_record_default_ratings ?max=1"].join("\n");
