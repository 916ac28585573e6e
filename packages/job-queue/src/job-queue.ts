import type { Db, Queryable, Tx } from "@agrinet/db";
import { jobTasks } from "./job-tasks";

// The one module that speaks to graphile-worker's tables and SQL functions. Jobs are added in the
// caller's transaction (its Prisma `Tx` or pg client), so a job exists exactly when the change
// that needs it committed.

/**
 * A queued payout's job waits for a batch run (`POST /admin/payouts/run` or the cron): it is
 * added with the payout, in the same transaction, but scheduled this far ahead so no worker
 * takes it until a run brings it forward (`runJobsNow`).
 */
export const payoutAwaitingRunDelay = "100 years";

/**
 * What `payouts_create` (one statement per batch of new payouts, jobs included) needs to queue
 * each payout's job: the task and how long it waits for a run.
 */
export const payoutCreateJob = { task: jobTasks.processPayout, delay: payoutAwaitingRunDelay } as const;

export type AddPayoutJobOptions = {
  payoutId: string;
  maxAttempts: number;
  /** true: runnable now (a retry or a run); false: waits for a batch run. */
  runNow: boolean;
  /** The provider confirmed it never received this payout: the job may send without asking. */
  confirmedNotSent?: boolean;
};

/** Adds (or replaces, by job key = payout id) the payout's job; returns its job id. */
export async function addPayoutJob(tx: Tx, options: AddPayoutJobOptions): Promise<string> {
  const rows = await tx.$queryRaw<Array<{ id: bigint }>>`
    select id from graphile_worker.add_job(
      ${jobTasks.processPayout},
      json_build_object('payoutId', ${options.payoutId}::text, 'confirmedNotSent', ${options.confirmedNotSent ?? false}::boolean),
      job_key => ${options.payoutId}::text,
      max_attempts => ${options.maxAttempts}::int,
      run_at => case when ${options.runNow}::boolean then now() else now() + ${payoutAwaitingRunDelay}::interval end
    )`;
  return rows[0]!.id.toString();
}

/**
 * Removes the jobs with these keys that no worker holds (a locked job is left to finish; its
 * task finds its subject moved on and stops).
 */
export async function removeJobs(tx: Tx, keys: string[]): Promise<void> {
  await tx.$executeRaw`select graphile_worker.remove_job(key) from unnest(${keys}::text[]) as key`;
}

/** Makes these (waiting) jobs runnable now and wakes idle workers. */
export async function runJobsNow(tx: Tx, jobIds: string[]): Promise<void> {
  if (jobIds.length === 0) return;
  await tx.$executeRaw`
    select count(*) from graphile_worker.reschedule_jobs(${jobIds}::bigint[], run_at => now())`;
  // reschedule_jobs does not wake idle workers the way add_job does.
  await tx.$executeRaw`select pg_notify('jobs:insert', json_build_object('r', random(), 'count', ${jobIds.length}::int)::text)`;
}

/** The job with this key, if one is waiting (not held by a worker), runs now. */
export async function runWaitingJobNow(tx: Tx, key: string): Promise<void> {
  await tx.$queryRaw`
    select id from graphile_worker.reschedule_jobs(
      array(select id from graphile_worker.jobs where key = ${key}::text and locked_at is null),
      run_at => now())`;
}

const webhookDeliveryKeyPrefix = "webhook-delivery:";

/** The job key of a webhook delivery's job: a redelivery replaces a job still waiting. */
export function webhookDeliveryJobKey(deliveryId: bigint | string): string {
  return `${webhookDeliveryKeyPrefix}${deliveryId}`;
}

/**
 * Adds one delivery job per id, in one statement on the caller's connection (the outbox
 * dispatcher's transaction), or replaces a waiting one (a redelivery).
 */
export async function addWebhookDeliveryJobs(
  client: Queryable | Tx,
  options: { deliveryIds: string[]; maxAttempts: number },
): Promise<void> {
  if (options.deliveryIds.length === 0) return;
  if ("$executeRaw" in client) {
    await client.$executeRaw`
      select graphile_worker.add_job(${jobTasks.deliverWebhook}, json_build_object('deliveryId', d.id),
                                     max_attempts := ${options.maxAttempts}::int, job_key := ${webhookDeliveryKeyPrefix} || d.id)
      from unnest(${options.deliveryIds}::text[]) as d(id)`;
    return;
  }
  await client.query(
    `select graphile_worker.add_job($1, json_build_object('deliveryId', d.id),
                                    max_attempts := $2::int, job_key := $3 || d.id)
     from unnest($4::text[]) as d(id)`,
    [jobTasks.deliverWebhook, options.maxAttempts, webhookDeliveryKeyPrefix, options.deliveryIds],
  );
}

/**
 * Unlocks the jobs of worker pools that have held a lock longer than `lockedForSeconds` and
 * whose worker is not among `liveWorkerIds` (a worker id ends with `/<its pool's id>`), so
 * another worker takes them now instead of after graphile-worker's 4-hour lock timeout.
 * Returns the pools unlocked.
 */
export async function unlockJobsOfDeadPools(db: Db, options: { lockedForSeconds: number; liveWorkerIds: string[] }): Promise<string[]> {
  const rows = await db.$queryRaw<Array<{ locked_by: string }>>`
    select distinct j.locked_by from graphile_worker.jobs j
    where j.locked_by is not null
      and j.locked_at < now() - make_interval(secs => ${options.lockedForSeconds}::double precision)
      and not exists (select 1 from unnest(${options.liveWorkerIds}::text[]) w(id) where w.id like '%/' || j.locked_by)`;
  const pools = rows.map((r) => r.locked_by);
  if (pools.length > 0) {
    await db.$executeRaw`select graphile_worker.force_unlock_workers(${pools}::text[])`;
  }
  return pools;
}

export type JobQueueDepth = { task: string; state: "ready" | "scheduled" | "locked"; count: number };

/** Jobs in the queue by task and state, for the metrics gauge. */
export async function jobQueueDepth(db: Db): Promise<JobQueueDepth[]> {
  return db.$queryRaw<JobQueueDepth[]>`
    select t.identifier as task,
           case when j.locked_at is not null then 'locked'
                when j.run_at > now() then 'scheduled' else 'ready' end as state,
           count(*)::int as count
    from graphile_worker._private_jobs j
    join graphile_worker._private_tasks t on t.id = j.task_id
    group by 1, 2`;
}
