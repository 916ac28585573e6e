import type { TaskList } from "graphile-worker";
import { payoutTaskList, type PayoutTaskDeps } from "./payout-tasks";

export type TaskDeps = PayoutTaskDeps;

/** Every job the worker runs, by task identifier. */
export function createTaskList(deps: TaskDeps): TaskList {
  return { ...payoutTaskList(deps) };
}
