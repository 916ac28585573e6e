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
      /** Local state (the embedded PostgreSQL); relative to the repository root. */
      DATA_DIR: z.string().min(1, "expected a directory path").default(".data"),
      SEED_DEMO_DATA: z.enum(["true", "false"], { message: "expected true or false" }).default("true"),
    },
    process.env,
  );
}
