import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { Db } from "@agrinet/db";
import { clearWorkerHeartbeat, recordWorkerHeartbeat } from "@agrinet/domain";
import { Logger as GraphileLogger, run, type Runner, type TaskList } from "graphile-worker";
import type { Logger } from "pino";
import { startNotificationDispatcher } from "./notification-dispatcher";
import { createTaskList, crontab } from "./tasks";

export type StartWorkerOptions = {
  db: Db;
  connectionString: string;
  concurrency: number;
  heartbeatSeconds: number;
  log: Logger;
  tasks?: TaskList;
  /** Outbox polling fallback; LISTEN wakes the dispatcher at once anyway. */
  dispatchIntervalMs?: number;
};

export type RunningWorker = { workerId: string; runner: Runner; stop(): Promise<void> };

/** Starts graphile-worker (which migrates its own schema) and the heartbeat. */
export async function startWorker(options: StartWorkerOptions): Promise<RunningWorker> {
  const { db, log } = options;
  const workerId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const runner = await run({
    connectionString: options.connectionString,
    concurrency: options.concurrency,
    noHandleSignals: true,
    pollInterval: 1_000,
    taskList: options.tasks ?? createTaskList({ db }),
    // Recurring tasks are registered in code (tasks/index.ts), never read from a file.
    crontab,
    // graphile-worker's own messages go through the same structured log as ours.
    logger: new GraphileLogger((scope) => (level, message, meta) => {
      const child = log.child({ graphile: scope.label ?? "core" });
      const method = ({ error: "error", warning: "warn", debug: "debug" } as const)[
        level as "error" | "warning" | "debug"
      ];
      child[method ?? "info"](meta ?? {}, message);
    }),
  });

  const beat = () =>
    recordWorkerHeartbeat({ db, workerId, hostname: hostname(), pid: process.pid }).catch(
      (error: unknown) => log.warn({ err: error }, "heartbeat failed; will retry"),
    );
  await beat();
  const timer = setInterval(beat, options.heartbeatSeconds * 1000);
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
      clearInterval(timer);
      // Clear the heartbeat first so readiness reports the worker gone at once.
      await clearWorkerHeartbeat({ db, workerId }).catch(() => {});
      await dispatcher.stop();
      await runner.stop();
    },
  };
}
