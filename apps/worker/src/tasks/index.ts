import type { TaskList } from "graphile-worker";

/** Every job the worker runs, by task identifier. */
export const taskList: TaskList = {};
