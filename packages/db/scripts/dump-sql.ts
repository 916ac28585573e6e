// `pnpm db:sql:dump`: migrates a throwaway embedded PostgreSQL from prisma/migrations and writes
// every function's and trigger's current definition to prisma/sql (see src/sql-definitions.ts).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmbeddedPostgres } from "../src/embedded";
import { applyMigrations, withPgClient } from "../src/migrations";
import { readSqlDefinitions, sqlDefinitionsDir, writeSqlDefinitionFiles } from "../src/sql-definitions";

const dataRoot = await mkdtemp(join(tmpdir(), "agrinet-sql-dump-"));
const server = await startEmbeddedPostgres({ dataDir: join(dataRoot, "data"), persistent: false, durability: "none" });
try {
  await withPgClient(server.url(), (client) => client.query("create database sql_dump"));
  await applyMigrations(server.url("sql_dump"));
  const definitions = await withPgClient(server.url("sql_dump"), readSqlDefinitions);
  await writeSqlDefinitionFiles(definitions);
  console.log(`wrote ${definitions.size} definitions to ${sqlDefinitionsDir}`);
} finally {
  await server.stop();
  await rm(dataRoot, { recursive: true, force: true });
}
