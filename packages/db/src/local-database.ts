import { join } from "node:path";
import { startEmbeddedPostgres, type RunningPostgres } from "./embedded";
import { prismaDir } from "./migrations";

export const repoRoot = join(prismaDir, "..");
export const localDataDir = join(repoRoot, ".data/postgres");
export const localPostgresPort = 54329;
export const appDatabaseName = "agrinet";

/**
 * The database the project runs on: `DATABASE_URL` when given, else the embedded PostgreSQL
 * kept under `.data/` (created on first use).
 */
export async function openLocalDatabase(
  databaseUrl: string | undefined,
  onLog?: (line: string) => void,
): Promise<{ url: string; embedded: RunningPostgres | null; close(): Promise<void> }> {
  if (databaseUrl) return { url: databaseUrl, embedded: null, close: async () => {} };
  const embedded = await startEmbeddedPostgres({
    dataDir: localDataDir,
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
