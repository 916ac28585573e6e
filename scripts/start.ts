// `pnpm start`: one command that runs the whole product. Without DATABASE_URL it starts an
// embedded PostgreSQL under DATA_DIR (default .data/), migrates, seeds demo data, then runs the API, the worker
// and the admin dashboard until interrupted.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createInterface } from "node:readline";
import { applyMigrations } from "@agrinet/db/migrate";
import { openLocalDatabase, repoRoot, resolveDataDir } from "@agrinet/db/local-database";
import { loadLauncherEnv } from "./env";
import { seedDemoData } from "./seed-demo-data";
import { apiNodeFlags, apiProcessEnv } from "../apps/api/src/runtime-flags";
import { workerNodeFlags, workerProcessEnv } from "../apps/worker/src/runtime-flags";

const dev = process.argv.includes("--dev");
const env = loadLauncherEnv();
const say = (line: string) => process.stdout.write(`[start] ${line}\n`);

say(
  env.DATABASE_URL
    ? "using DATABASE_URL"
    : `starting embedded PostgreSQL (data in ${resolveDataDir(env.DATA_DIR)})`,
);
const database = await openLocalDatabase(env.DATABASE_URL, { dataDir: env.DATA_DIR });
const applied = await applyMigrations(database.url);
say(applied.length ? `applied migrations: ${applied.join(", ")}` : "migrations up to date");
if (env.SEED_DEMO_DATA === "true") say(await seedDemoData(database.url, env));

if (!dev) {
  say("building the admin dashboard, the API and the worker (cached after the first run)");
  const build = spawnSync("pnpm", ["exec", "turbo", "run", "build", "--filter=@agrinet/admin", "--filter=@agrinet/api", "--filter=@agrinet/worker"], {
    cwd: repoRoot,
    stdio: "inherit",
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1", NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (build.status !== 0) {
    await database.close();
    process.exit(build.status ?? 1);
  }
}

const apiUrl = process.env.API_URL ?? `http://127.0.0.1:${env.API_PORT}`;
// Without real M-Pesa settings, payouts go to the local Daraja sandbox so a new user can pay
// out offline; the sandbox's outcome numbers are in the README.
const useDarajaSandbox = !env.MPESA_BASE_URL;
/** A random URL token Daraja would register: it refuses C2B URLs containing these words anywhere. */
function callbackToken(): string {
  for (;;) {
    const token = randomBytes(24).toString("base64url");
    if (!/mpesa|safaricom|exec|cmd|sql|query/i.test(token)) return token;
  }
}
const darajaSandboxEnv = useDarajaSandbox
  ? {
      MPESA_BASE_URL: `http://127.0.0.1:${env.DARAJA_SANDBOX_PORT}`,
      MPESA_CONSUMER_KEY: "sandbox-consumer-key",
      MPESA_CONSUMER_SECRET: "sandbox-consumer-secret",
      MPESA_SHORTCODE: "600996",
      MPESA_INITIATOR_NAME: "agrinet-sandbox",
      MPESA_SECURITY_CREDENTIAL: "sandbox-security-credential",
      MPESA_CALLBACK_BASE_URL: `${apiUrl}/payments/mpesa`,
      MPESA_CALLBACK_TOKEN: process.env.MPESA_CALLBACK_TOKEN ?? callbackToken(),
      // Collections (STK Push deposits, the paybill) against the sandbox's test passkey.
      MPESA_STK_PASSKEY: process.env.MPESA_STK_PASSKEY ?? "sandbox-stk-passkey",
      DARAJA_SANDBOX_STK_PASSKEY: process.env.MPESA_STK_PASSKEY ?? "sandbox-stk-passkey",
      // Unknown paybill accounts land in the staff queue, so a newcomer can see it work.
      MPESA_C2B_UNKNOWN_ACCOUNTS: process.env.MPESA_C2B_UNKNOWN_ACCOUNTS ?? "suspense",
    }
  : {};
const childEnv = {
  ...process.env,
  ...darajaSandboxEnv,
  DATABASE_URL: database.url,
  API_PORT: String(env.API_PORT),
  API_URL: apiUrl,
  AUTH_TRUSTED_ORIGINS:
    env.AUTH_TRUSTED_ORIGINS ?? `http://127.0.0.1:${env.ADMIN_PORT},http://localhost:${env.ADMIN_PORT}`,
  DARAJA_SANDBOX_PORT: String(env.DARAJA_SANDBOX_PORT),
  NEXT_TELEMETRY_DISABLED: "1",
};
const node = (entry: string) => ["--import", "tsx", ...(dev ? ["--watch"] : []), entry];
// Outside --dev the API and the worker run as production does: their bundles under plain node.
const service = (source: string, bundle: string, flags: readonly string[] = []) =>
  dev ? node(source) : ["--enable-source-maps", ...flags, bundle];
const services: Array<{ name: string; command: string; args: string[]; cwd: string; env?: Record<string, string> }> = [
  ...(useDarajaSandbox
    ? [
        {
          name: "daraja-sandbox",
          command: process.execPath,
          args: node("src/main.ts"),
          cwd: `${repoRoot}/packages/daraja-sandbox`,
        },
      ]
    : []),
  { name: "api", command: process.execPath, args: service("src/server.ts", "dist/server.mjs", apiNodeFlags), cwd: `${repoRoot}/apps/api`, env: apiProcessEnv },
  { name: "worker", command: process.execPath, args: service("src/main.ts", "dist/main.mjs", workerNodeFlags), cwd: `${repoRoot}/apps/worker`, env: workerProcessEnv },
  {
    name: "admin",
    command: "pnpm",
    args: ["exec", "next", dev ? "dev" : "start", "-p", String(env.ADMIN_PORT), "-H", "127.0.0.1"],
    cwd: `${repoRoot}/apps/admin`,
  },
];

const children = new Map<string, ChildProcess>();
for (const service of services) {
  const child = spawn(service.command, service.args, {
    cwd: service.cwd,
    env: { ...childEnv, ...service.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.set(service.name, child);
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on("line", (line) =>
      process.stdout.write(`[${service.name}] ${line}\n`),
    );
  }
  // A service that stops is reported, not restarted: an operator may stop the worker on
  // purpose, and readiness (GET /readyz) says what is missing.
  child.on("exit", (code, signal) => {
    children.delete(service.name);
    say(`${service.name} exited (${signal ?? `code ${code}`})`);
  });
}
say(`API on http://127.0.0.1:${env.API_PORT}, admin on http://127.0.0.1:${env.ADMIN_PORT}`);

let stopping = false;
async function stop(signal: NodeJS.Signals) {
  if (stopping) return;
  stopping = true;
  say(`${signal}: stopping services`);
  await Promise.all(
    [...children.values()].map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once("exit", () => resolve());
          child.kill("SIGTERM");
          setTimeout(() => child.kill("SIGKILL"), 15_000).unref();
        }),
    ),
  );
  await database.close();
  process.exit(0);
}
process.on("SIGINT", () => void stop("SIGINT"));
process.on("SIGTERM", () => void stop("SIGTERM"));
