import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { afterAll, beforeAll, expect, test } from "vitest";
import { addPayoutJob, jobQueueDepth, payoutAwaitingRunDelay, payoutCreateJob, removeJobs, runJobsNow, unlockJobsOfDeadPools } from "./job-queue";
import { jobTasks } from "./job-tasks";
import { deleteJobs, listJobs, lockJobs } from "./testing";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
});

const jobs = (filter: Parameters<typeof listJobs>[1]) => listJobs(database.db.$pool, filter);

// Two SQL functions queue their sweeps inside the statement that plans them, for speed: the task
// they name must be the registry's, or the worker would never run those jobs.
test("the sweeps queued inside SQL carry the registry's task names", async () => {
  const due = new Date("2031-03-04T05:06:07.250Z");
  const second = Math.ceil(due.getTime() / 1000);
  await database.db.$queryRaw`select schedule_payout_status_sweeps(array[${due}::timestamptz])`;
  await database.db.$queryRaw`select schedule_mpesa_stk_sweeps(array[${due}::timestamptz])`;

  const statusSweeps = await jobs({ task: jobTasks.payoutStatusSweep });
  expect(statusSweeps.map((job) => ({ key: job.key, runAt: job.runAt }))).toEqual([
    { key: `${jobTasks.payoutStatusSweep}:${second}`, runAt: new Date(second * 1000) },
  ]);
  const stkSweeps = await jobs({ task: jobTasks.stkSweep });
  expect(stkSweeps.map((job) => ({ key: job.key, runAt: job.runAt }))).toEqual([
    { key: `${jobTasks.stkSweep}:${second}`, runAt: new Date(second * 1000) },
  ]);
  for (const job of [...statusSweeps, ...stkSweeps]) await deleteJobs(database.db.$pool, { key: job.key! });
});

test("payouts_create queues the job payoutCreateJob names", () => {
  // The statement takes the task and the delay as parameters: the registry is their one source.
  expect(payoutCreateJob).toEqual({ task: jobTasks.processPayout, delay: payoutAwaitingRunDelay });
});

test("a payout's job waits for a run, a run makes it due, and removing it leaves nothing", async () => {
  const payoutId = "po_job_queue_1";
  const jobId = await database.db.$transaction((tx) => addPayoutJob(tx, { payoutId, maxAttempts: 5, runNow: false }));
  const [waiting] = await jobs({ key: payoutId });
  expect(waiting).toMatchObject({
    id: jobId,
    task: jobTasks.processPayout,
    payload: { payoutId, confirmedNotSent: false },
    maxAttempts: 5,
    lockedBy: null,
  });
  expect(waiting!.runAt.getTime()).toBeGreaterThan(Date.now() + 50 * 365 * 86_400_000);
  expect(await jobs({ key: payoutId, due: true })).toEqual([]);
  expect(await jobQueueDepth(database.db)).toContainEqual({ task: jobTasks.processPayout, state: "scheduled", count: 1 });

  await database.db.$transaction((tx) => runJobsNow(tx, [jobId]));
  expect(await jobs({ key: payoutId, due: true })).toHaveLength(1);
  expect(await jobQueueDepth(database.db)).toContainEqual({ task: jobTasks.processPayout, state: "ready", count: 1 });

  // The same key again replaces the job rather than adding a second.
  await database.db.$transaction((tx) => addPayoutJob(tx, { payoutId, maxAttempts: 5, runNow: true, confirmedNotSent: true }));
  expect((await jobs({ key: payoutId })).map((job) => job.payload)).toEqual([{ payoutId, confirmedNotSent: true }]);

  await database.db.$transaction((tx) => removeJobs(tx, [payoutId]));
  expect(await jobs({ key: payoutId })).toEqual([]);
});

test("the jobs of a pool whose worker stopped beating are unlocked; a live worker's are not", async () => {
  const ids = await database.db.$transaction(async (tx) => [
    await addPayoutJob(tx, { payoutId: "po_dead_pool", maxAttempts: 5, runNow: true }),
    await addPayoutJob(tx, { payoutId: "po_live_pool", maxAttempts: 5, runNow: true }),
  ]);
  expect(ids).toHaveLength(2);
  await lockJobs(database.db.$pool, { key: "po_dead_pool", lockedBy: "pool-dead" });
  await lockJobs(database.db.$pool, { key: "po_live_pool", lockedBy: "pool-live" });

  // Locked "now": not yet older than the limit.
  expect(await unlockJobsOfDeadPools(database.db, { lockedForSeconds: 60, liveWorkerIds: [] })).toEqual([]);
  const unlocked = await unlockJobsOfDeadPools(database.db, { lockedForSeconds: 0, liveWorkerIds: ["host/1/pool-live"] });
  expect(unlocked).toEqual(["pool-dead"]);
  expect((await jobs({ key: "po_dead_pool" }))[0]!.lockedBy).toBeNull();
  expect((await jobs({ key: "po_live_pool" }))[0]!.lockedBy).toBe("pool-live");
  await deleteJobs(database.db.$pool, { key: "po_live_pool", lockedBy: "pool-live" });
  await deleteJobs(database.db.$pool, { key: "po_dead_pool" });
});
