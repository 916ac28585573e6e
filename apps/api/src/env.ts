import { envVars, loadEnvOrExit } from "@agrinet/core";
import { z } from "zod";

export const apiEnvShape = {
  DATABASE_URL: envVars.databaseUrl.unwrap(),
  API_HOST: z.string().default("127.0.0.1"),
  API_PORT: envVars.port(4000),
  LOG_LEVEL: envVars.logLevel,
  /** Seconds in-flight requests get to finish on SIGTERM before the process exits anyway. */
  SHUTDOWN_GRACE_SECONDS: envVars.positiveInt(10),
  /** When set, /metrics on the API port answers only `Authorization: Bearer <token>`. */
  METRICS_TOKEN: z.string().min(16, "expected at least 16 characters").optional(),
  /** When set, /metrics is also served without a token on this internal port (METRICS_HOST). */
  METRICS_PORT: z.coerce
    .number({ message: "expected a TCP port number" })
    .int("expected a whole number")
    .min(1, "expected a port between 1 and 65535")
    .max(65535, "expected a port between 1 and 65535")
    .optional(),
  METRICS_HOST: z.string().default("127.0.0.1"),
  /** Comment lines on idle notification streams, so proxies keep them open. */
  SSE_HEARTBEAT_SECONDS: envVars.positiveInt(15),
};

export type ApiEnv = z.infer<z.ZodObject<typeof apiEnvShape>>;

export function loadApiEnv(): ApiEnv {
  return loadEnvOrExit("api", apiEnvShape, process.env);
}
