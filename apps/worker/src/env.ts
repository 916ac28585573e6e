import { envVars, loadEnvOrExit, paymentsEnvShape } from "@agrinet/core";
import { z } from "zod";

export const workerEnvShape = {
  DATABASE_URL: envVars.databaseUrl.unwrap(),
  LOG_LEVEL: envVars.logLevel,
  WORKER_CONCURRENCY: envVars.positiveInt(16),
  /** How often the worker proves it is alive (readiness and payouts read it). */
  WORKER_HEARTBEAT_SECONDS: envVars.positiveInt(5),
  /** A worker silent this long is dead: its locked jobs are handed to the live ones. */
  WORKER_DEAD_AFTER_SECONDS: envVars.positiveInt(30),
  ...paymentsEnvShape,
};

export type WorkerEnv = z.infer<z.ZodObject<typeof workerEnvShape>>;

export function loadWorkerEnv(): WorkerEnv {
  return loadEnvOrExit("worker", workerEnvShape, process.env);
}
