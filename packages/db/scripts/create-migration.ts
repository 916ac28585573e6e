// Writes the next migration: the SQL between the schema as of the last migration (kept in
// prisma/migrations/schema.snapshot.prisma) and prisma/schema.prisma. Hand-written SQL
// (constraints, triggers) may then be appended to the new migration.sql.
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { startEmbeddedPostgres } from "../src/embedded";
import { diffSchemas, migrationsDir, schemaPath } from "../src/migrations";

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("usage: pnpm db:migration:create <snake_case_name>");
  process.exit(64);
}
const snapshotPath = join(migrationsDir, "schema.snapshot.prisma");
const [current, previous] = await Promise.all([
  readFile(schemaPath, "utf8"),
  existsSync(snapshotPath) ? readFile(snapshotPath, "utf8") : null,
]);

// The engine needs a live connection to start, though the diff never touches it.
const scratch = await startEmbeddedPostgres({
  dataDir: join("/tmp", `agrinet-migration-${process.pid}`),
  persistent: false,
  durability: "none",
});
try {
  const sql = await diffSchemas(scratch.url(), previous, current);
  if (!sql.trim() || /^-- This is an empty migration\.\s*$/.test(sql.trim())) {
    console.log("schema.prisma matches the last migration: nothing to create");
  } else {
    const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
    const dir = join(migrationsDir, `${stamp}_${name}`);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "migration.sql"), sql);
    await writeFile(snapshotPath, current);
    const lock = join(migrationsDir, "migration_lock.toml");
    if (!existsSync(lock)) await writeFile(lock, 'provider = "postgresql"\n');
    console.log(`created ${dir}/migration.sql`);
  }
} finally {
  await scratch.stop();
}
