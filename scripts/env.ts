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
  /** The second demo partner's key ("Demo coop app"), so partner isolation can be tried. */
  SEED_SECOND_PARTNER_API_KEY: z
    .string()
    .min(32, "expected at least 32 characters")
    .default("agp_dev_coop_partner_key_00000000000000000000000"),
};

export type SeedEnv = z.infer<z.ZodObject<typeof seedEnvShape>>;

/**
 * Seed settings still at their published defaults, when NODE_ENV=production: seeding them
 * would open the deployment to anyone who read this repository.
 */
export function wellKnownSeedCredentials(env: SeedEnv & { NODE_ENV: string }): string[] {
  if (env.NODE_ENV !== "production") return [];
  return (["SEED_ADMIN_PASSWORD", "SEED_PARTNER_API_KEY", "SEED_SECOND_PARTNER_API_KEY"] as const).filter(
    (name) => env[name] === seedEnvShape[name].parse(undefined),
  );
}

/** Exits with one line when production would seed well-known credentials. */
export function refuseWellKnownSeedCredentials(env: SeedEnv & { NODE_ENV: string }, command: string): void {
  const names = wellKnownSeedCredentials(env);
  if (names.length === 0) return;
  process.stderr.write(
    `${command}: NODE_ENV=production with the demo ${names.join(" and ")}: set your own, or SEED_DEMO_DATA=false\n`,
  );
  process.exit(78);
}

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
      NODE_ENV: z.string().default("development"),
      SEED_DEMO_DATA: z.enum(["true", "false"], { message: "expected true or false" }).default("true"),
      ...seedEnvShape,
    },
    process.env,
  );
}
