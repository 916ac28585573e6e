import type { Queryable } from "@agrinet/db";

// Tests look at the queue through these, so graphile-worker's tables stay named in this package.

export type QueuedJob = {
  id: string;
  task: string;
  key: string | null;
  payload: unknown;
  runAt: Date;
  lockedBy: string | null;
  attempts: number;
  maxAttempts: number;
};

export type JobFilter = {
  key?: string;
  /** A task (`jobTasks.…`), or any of several. */
  task?: string | string[];
  ids?: string[];
  /** Only jobs due now (run_at <= now()). */
  due?: boolean;
  /** Only jobs held by this worker pool. */
  lockedBy?: string;
};

/** The jobs in the queue that match, oldest id first. */
export async function listJobs(client: Queryable, filter: JobFilter = {}): Promise<QueuedJob[]> {
  const tasks = filter.task === undefined ? null : [filter.task].flat();
  const { rows } = await client.query<QueuedJob>(
    `select j.id::text as id, t.identifier as task, j.key, j.payload, j.run_at as "runAt",
            j.locked_by as "lockedBy", j.attempts, j.max_attempts as "maxAttempts"
     from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
     where ($1::text is null or j.key = $1)
       and ($2::text[] is null or t.identifier = any($2))
       and ($3::bigint[] is null or j.id = any($3))
       and (not $4::boolean or j.run_at <= now())
       and ($5::text is null or j.locked_by = $5)
     order by j.id`,
    [filter.key ?? null, tasks, filter.ids ?? null, filter.due ?? false, filter.lockedBy ?? null],
  );
  return rows;
}

/** Adds `count` jobs of an ad-hoc task (a test's own task list). */
export async function addTestJobs(client: Queryable, task: string, count: number): Promise<void> {
  await client.query("select graphile_worker.add_job($1, '{}'::json) from generate_series(1, $2::int)", [task, count]);
}

/** Marks the job with this key as taken by a worker pool, as a running job is. */
export async function lockJobs(client: Queryable, options: { key: string; lockedBy: string }): Promise<void> {
  await client.query("update graphile_worker._private_jobs set locked_at = now(), locked_by = $2 where key = $1", [options.key, options.lockedBy]);
}

/** Deletes the jobs with this key and those held by this pool. */
export async function deleteJobs(client: Queryable, options: { key: string; lockedBy?: string }): Promise<void> {
  await client.query("delete from graphile_worker._private_jobs where key = $1 or locked_by = $2", [options.key, options.lockedBy ?? null]);
}
