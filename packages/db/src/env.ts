import { envVars, loadEnvOrExit } from "@agrinet/core";
import { z } from "zod";

/** The database tooling's environment (migrate, seed, create-migration). */
export function loadDbToolEnv() {
  return loadEnvOrExit(
    "db",
    {
      DATABASE_URL: envVars.databaseUrl,
      DATA_DIR: z.string().min(1, "expected a directory path").default(".data"),
    },
    process.env,
  );
}
