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
  /** Partner web origins allowed by CORS, comma-separated (`https://app.example.org,...`). */
  CORS_ORIGINS: z
    .string()
    .default("")
    .transform((value) => value.split(",").map((origin) => origin.trim()).filter(Boolean))
    .pipe(z.array(z.url({ message: "expected comma-separated origins like https://app.example.org" }))),
  /** Requests per minute per credential (API key, session, token; else per IP). */
  RATE_LIMIT_PER_MINUTE: envVars.positiveInt(600),
  /** Largest REST request body, in bytes; larger → 413. */
  REST_BODY_LIMIT_BYTES: envVars.positiveInt(64 * 1024),
};

export type ApiEnv = z.infer<z.ZodObject<typeof apiEnvShape>>;

export function loadApiEnv(): ApiEnv {
  return loadEnvOrExit("api", apiEnvShape, process.env);
}
