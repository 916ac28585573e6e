import { envVars, loadEnvOrExit, paymentsEnvShape } from "@agrinet/core";
import { z } from "zod";

export const apiEnvShape = {
  DATABASE_URL: envVars.databaseUrl.unwrap(),
  API_HOST: z.string().default("127.0.0.1"),
  API_PORT: envVars.port(4000),
  LOG_LEVEL: envVars.logLevel,
  /** Seconds in-flight requests get to finish on SIGTERM before the process exits anyway. */
  SHUTDOWN_GRACE_SECONDS: envVars.positiveInt(10),
  ...paymentsEnvShape,
};

export type ApiEnv = z.infer<z.ZodObject<typeof apiEnvShape>>;

export function loadApiEnv(): ApiEnv {
  return loadEnvOrExit("api", apiEnvShape, process.env);
}
