import { envVars, loadEnvOrExit } from "@agrinet/core";

/** The database tooling's environment (migrate, seed, create-migration). */
export function loadDbToolEnv() {
  return loadEnvOrExit(
    "db",
    {
      DATABASE_URL: envVars.databaseUrl,
    },
    process.env,
  );
}
