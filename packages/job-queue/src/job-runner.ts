import { EventEmitter } from "node:events";
import { Logger, run, runMigrations, type Runner, type TaskList, type WorkerEvents } from "graphile-worker";
import type pg from "pg";

export type { Runner, TaskList };

export type JobRunnerLog = (scope: string, level: "error" | "warn" | "info" | "debug", message: string, meta: object) => void;

export type StartJobRunnerOptions = {
  /** The runner's own pool (the worker sizes it and sets its timeouts). */
  pgPool: pg.Pool;
  concurrency: number;
  /** `JobTaskHandlers` in the worker; tests may run ad-hoc tasks. */
  tasks: TaskList;
  /** Crontab lines (`cronLine`): recurring jobs come from configuration, never from a file. */
  crontab: string[];
  /** Jobs fetched (and locked) per round trip. */
  localQueueSize: number;
  /** graphile-worker's own messages, for the worker's structured log. */
  log: JobRunnerLog;
};

export type JobRunner = {
  runner: Runner;
  /** The pool id graphile-worker locks jobs in the name of (`locked_by`). */
  poolId: string;
  /** Called when the runner's pool shuts down without `runner.stop()` (an error it deems fatal). */
  onPoolShutdown(listener: (error: Error) => void): void;
};

/** Starts graphile-worker (which migrates its own schema first). */
export async function startJobRunner(options: StartJobRunnerOptions): Promise<JobRunner> {
  const events: WorkerEvents = new EventEmitter();
  let poolId: string | undefined;
  events.on("pool:create", ({ workerPool }) => {
    poolId = workerPool.id;
  });
  const runner = await run({
    pgPool: options.pgPool,
    concurrency: options.concurrency,
    noHandleSignals: true,
    pollInterval: 1_000,
    taskList: options.tasks,
    events,
    crontab: options.crontab.join("\n"),
    preset: {
      worker: {
        // Measured on this machine: ~900 no-op jobs/s with defaults, ~6,800 with these.
        localQueue: { size: options.localQueueSize },
        completeJobBatchDelay: 0,
        failJobBatchDelay: 0,
      },
    },
    logger: new Logger((scope) => (level, message, meta) => {
      const ours = ({ error: "error", warning: "warn", debug: "debug" } as const)[level as "error" | "warning" | "debug"];
      options.log(scope.label ?? "core", ours ?? "info", message, meta ?? {});
    }),
  });
  if (!poolId) throw new Error("graphile-worker started without announcing its pool");
  return {
    runner,
    poolId,
    onPoolShutdown(listener) {
      // Its runner's promise may never settle after one (graphile/worker#636: the shutdown waits
      // for a batch that holds it up for good); the pool's own events do arrive.
      events.on("pool:gracefulShutdown", ({ message }) => listener(new Error(message)));
      events.on("pool:forcefulShutdown", ({ message }) => listener(new Error(message)));
    },
  };
}

/** Creates or upgrades graphile-worker's schema (test templates and benches; the worker does it at start). */
export async function migrateJobQueue(connectionString: string): Promise<void> {
  await runMigrations({ connectionString, logger: new Logger(() => () => {}) });
}
