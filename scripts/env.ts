import { existsSync } from "node:fs";
import { envVars, loadEnvOrExit } from "@agrinet/core";
import { z } from "zod";

/**
 * The demo sign-in and partner key the seed creates. Dev-only defaults: anyone reading this
 * file knows them, so never seed a reachable deployment without setting all three.
 */
export const seedEnvShape = {
  SEED_ADMIN_EMAIL: z.email({ message: "expected an email address" }).default("admin@agrinet.local"),
  SEED_ADMIN_PASSWORD: z
    .string()
    .min(10, "expected at least 10 characters")
    .default("agrinet-dev-password"),
  SEED_PARTNER_API_KEY: z
    .string()
    .min(32, "expected at least 32 characters")
    .default("agp_dev_partner_key_0000000000000000000000000000"),
};

export type SeedEnv = z.infer<z.ZodObject<typeof seedEnvShape>>;

/** The launcher's own settings; each app validates the rest of its environment itself. */
export function loadLauncherEnv() {
  if (existsSync(".env")) process.loadEnvFile(".env");
  return loadEnvOrExit(
    "start",
    {
      DATABASE_URL: envVars.databaseUrl,
      API_PORT: envVars.port(4000),
      ADMIN_PORT: envVars.port(3000),
      // Unset: the dashboard's own origin on ADMIN_PORT, so staff sign-in works on any port.
      AUTH_TRUSTED_ORIGINS: z.string().optional(),
      // Unset: the launcher runs the local Daraja sandbox and points the apps at it.
      MPESA_BASE_URL: z.url({ message: "expected a URL" }).optional(),
      DARAJA_SANDBOX_PORT: envVars.port(4010),
      /** Local state (the embedded PostgreSQL); relative to the repository root. */
      DATA_DIR: z.string().min(1, "expected a directory path").default(".data"),
      SEED_DEMO_DATA: z.enum(["true", "false"], { message: "expected true or false" }).default("true"),
      ...seedEnvShape,
    },
    process.env,
  );
}
