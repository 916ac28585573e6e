import { existsSync } from "node:fs";
import { envVars, loadEnvOrExit } from "@agrinet/core";
import { z } from "zod";

/** The launcher's own settings; each app validates the rest of its environment itself. */
export function loadLauncherEnv() {
  if (existsSync(".env")) process.loadEnvFile(".env");
  return loadEnvOrExit(
    "start",
    {
      DATABASE_URL: envVars.databaseUrl,
      API_PORT: envVars.port(4000),
      ADMIN_PORT: envVars.port(3000),
      // Unset: the launcher runs the local Daraja sandbox and points the apps at it.
      MPESA_BASE_URL: z.url({ message: "expected a URL" }).optional(),
      DARAJA_SANDBOX_PORT: envVars.port(4010),
      SEED_DEMO_DATA: z.enum(["true", "false"], { message: "expected true or false" }).default("true"),
    },
    process.env,
  );
}
