import { hostname } from "node:os";
import type { Db } from "@agrinet/db";
import { clearWorkerHeartbeat, recordWorkerHeartbeat, recoverJobsOfDeadWorkers } from "@agrinet/domain";
import { cronLine, jobTasks } from "@agrinet/job-queue";
import { startJobRunner, type Runner, type TaskList } from "@agrinet/job-queue/runner";
import pg from "pg";
import type { Logger } from "pino";
import { startNotificationDispatcher } from "./notification-dispatcher";
import { recurringTasks } from "./tasks";

export type StartWorkerOptions = {
  db: Db;
  connectionString: string;
  concurrency: number;
  heartbeatSeconds: number;
  log: Logger;
  tasks: TaskList;
  /** Outbox polling fallback; LISTEN wakes the dispatcher at once anyway. */
  dispatchIntervalMs?: number;
  /** PAYOUTS_AUTO_RUN_CRON: a five-field cron for automatic payout runs. */
  payoutsAutoRunCron?: string | undefined;
  /** A worker whose heartbeat is older than this is dead and its jobs are unlocked (default 30 s). */
  deadWorkerAfterMs?: number;
  /** Jobs fetched (and locked) per round trip; see the offline toolchain notes. */
  localQueueSize?: number;
  /**
   * The job runner stopped without `stop()` being called (its worker pool gave up after an
   * error it deems fatal). The heartbeat has stopped and been cleared by then: a process that
   * takes no jobs must not look alive. The worker program exits, for its supervisor to restart.
   */
  onStoppedAlone?(error: unknown): void;
};

export type RunningWorker = { workerId: string; runner: Runner; stop(): Promise<void> };

/** Starts the job runner (which migrates its own schema), the heartbeat and stale-lock recovery. */
export async function startWorker(options: StartWorkerOptions): Promise<RunningWorker> {
  const { db, log } = options;
  // Our own pool for graphile-worker rather than the one it would make from the connection string:
  // that one waits forever for a connection, so a connect that hangs (a database machine lost
  // without a reset) would stall its job fetching or its LISTEN for good. Here a connect fails
  // after 10 s and graphile-worker retries it; TCP keepalives find connections whose server went
  // away silently. (The Patroni drill's stall was another cause: see the graphile-worker patch in
  // pnpm-workspace.yaml.)
  const pgPool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.concurrency + 4,
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
  });
  pgPool.on("error", (error) => log.warn({ err: error }, "graphile-worker pool connection lost"));
  const { runner, poolId, onPoolShutdown } = await startJobRunner({
    pgPool,
    concurrency: options.concurrency,
    tasks: options.tasks,
    crontab: [
      ...recurringTasks,
      ...(options.payoutsAutoRunCron ? [cronLine(options.payoutsAutoRunCron, jobTasks.payoutAutoRun)] : []),
    ],
    localQueueSize: options.localQueueSize ?? 500,
    // The runner's own messages go through the same structured log as ours.
    log: (scope, level, message, meta) => log.child({ graphile: scope })[level](meta, message),
  });
  // Jobs are locked in the name of the runner's pool; the heartbeat carries that name so a pool
  // that died (SIGKILL, power loss) can be told from a live one and its jobs unlocked.
  const workerId = `${hostname()}/${process.pid}/${poolId}`;

  const beat = async () => {
    try {
      await recordWorkerHeartbeat({ db, workerId, hostname: hostname(), pid: process.pid });
      const recovered = await recoverJobsOfDeadWorkers({ db, maxAgeMs: options.deadWorkerAfterMs });
      if (recovered.length > 0) log.warn({ pools: recovered }, "unlocked the jobs of workers that stopped beating");
    } catch (error) {
      log.warn({ err: error }, "heartbeat failed; will retry");
    }
  };
  await beat();
  const timer = setInterval(() => void beat(), options.heartbeatSeconds * 1000);
  let stopping = false;
  const stoppedAlone = async (error: unknown) => {
    if (stopping) return;
    stopping = true;
    clearInterval(timer);
    await clearWorkerHeartbeat({ db, workerId }).catch(() => {});
    log.error({ err: error }, "the job runner stopped on its own; this worker takes no more jobs");
    options.onStoppedAlone?.(error);
  };
  onPoolShutdown((error) => void stoppedAlone(error));
  const dispatcher = await startNotificationDispatcher({
    db,
    connectionString: options.connectionString,
    log,
    pollIntervalMs: options.dispatchIntervalMs,
  });

  return {
    workerId,
    runner,
    async stop() {
      stopping = true;
      clearInterval(timer);
      // Clear the heartbeat first so readiness reports the worker gone at once.
      await clearWorkerHeartbeat({ db, workerId }).catch(() => {});
      await dispatcher.stop();
      await runner.stop();
      await pgPool.end();
    },
  };
}
