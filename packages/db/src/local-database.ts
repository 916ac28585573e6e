import { join, resolve } from "node:path";
import { startEmbeddedPostgres, type RunningPostgres } from "./embedded";
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
  const embedded = await startEmbeddedPostgres({
    dataDir: join(resolveDataDir(options.dataDir), "postgres"),
    port: localPostgresPort,
    persistent: true,
    onLog,
  });
  const { withPgClient } = await import("./migrations");
  await withPgClient(embedded.url(), async (client) => {
    const { rowCount } = await client.query("select 1 from pg_database where datname = $1", [
      appDatabaseName,
    ]);
    if (!rowCount) await client.query(`create database ${appDatabaseName}`);
  });
  return { url: embedded.url(appDatabaseName), embedded, close: () => embedded.stop() };
}
