// Applies prisma/migrations with Prisma's own migration engine (the WebAssembly build, which
// needs no download) so `_prisma_migrations` is written exactly as `prisma migrate deploy` would.
import { readFile, readdir } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import pg from "pg";

const require = createRequire(import.meta.url);

export const prismaDir = join(dirname(fileURLToPath(import.meta.url)), "../../../prisma");
export const migrationsDir = join(prismaDir, "migrations");
export const schemaPath = join(prismaDir, "schema.prisma");

type SchemaEngineModule = typeof import("@prisma/schema-engine-wasm");
type SchemaEngine = Awaited<ReturnType<SchemaEngineModule["SchemaEngine"]["new"]>>;

// Node's WebAssembly global; @types/node 20 does not declare it.
const wasmRuntime = (globalThis as unknown as {
  WebAssembly: {
    instantiate(
      bytes: Uint8Array,
      imports: Record<string, object>,
    ): Promise<{ instance: { exports: Record<string, unknown> } }>;
  };
}).WebAssembly;

let engineModule: Promise<SchemaEngineModule> | undefined;

// Instantiating the .wasm by hand avoids Node 20's --experimental-wasm-modules flag, so
// migrations can run in-process from the start script and the test setup.
function loadEngineModule(): Promise<SchemaEngineModule> {
  engineModule ??= (async () => {
    const bindings = (await import(
      "@prisma/schema-engine-wasm/schema_engine_bg"
    )) as unknown as SchemaEngineModule & { __wbg_set_wasm(exports: object): void };
    const wasmPath = join(
      dirname(require.resolve("@prisma/schema-engine-wasm/schema_engine_bg")),
      "schema_engine_bg.wasm",
    );
    const { instance } = await wasmRuntime.instantiate(await readFile(wasmPath), {
      "./schema_engine_bg.js": bindings,
    });
    bindings.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return bindings;
  })();
  return engineModule;
}

const noFilters = { externalTables: [], externalEnums: [] };

/**
 * @prisma/adapter-pg 7.10 runs a migration script by splitting it on every ";", which breaks
 * hand-written functions and triggers ($$ bodies, semicolons in comments). PostgreSQL's simple
 * query protocol runs a whole multi-statement script in one call, as `prisma migrate` does.
 */
function wholeScriptPg(connectionString: string): PrismaPg {
  const factory = new PrismaPg({ connectionString });
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const adapter = await connect();
    const inner = adapter as unknown as {
      client: { query(sql: string): Promise<unknown> };
      onError(error: unknown): never;
    };
    adapter.executeScript = async (script: string) => {
      try {
        await inner.client.query(script);
      } catch (error) {
        inner.onError(error);
      }
    };
    return adapter;
  };
  return factory;
}

async function withEngine<T>(
  connectionString: string,
  datamodel: string,
  run: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  const { SchemaEngine } = await loadEngineModule();
  const adapter = bindMigrationAwareSqlAdapterFactory(wholeScriptPg(connectionString));
  const engine = await SchemaEngine.new(
    { datamodels: [["schema.prisma", datamodel]] },
    () => {},
    adapter,
  );
  try {
    return await run(engine);
  } finally {
    engine.free();
  }
}

export type MigrationOnDisk = { name: string; sql: string };

export async function readMigrations(dir = migrationsDir): Promise<MigrationOnDisk[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  return Promise.all(
    names.map(async (name) => ({
      name,
      sql: await readFile(join(dir, name, "migration.sql"), "utf8"),
    })),
  );
}

export async function applyMigrations(connectionString: string): Promise<string[]> {
  const [datamodel, migrations, lockfile] = await Promise.all([
    readFile(schemaPath, "utf8"),
    readMigrations(),
    readFile(join(migrationsDir, "migration_lock.toml"), "utf8").catch(() => null),
  ]);
  return withEngine(connectionString, datamodel, async (engine) => {
    const result = await engine.applyMigrations({
      migrationsList: {
        baseDir: migrationsDir,
        lockfile: { path: "migration_lock.toml", content: lockfile ?? "" },
        shadowDbInitScript: "",
        migrationDirectories: migrations.map((m) => ({
          path: m.name,
          migrationFile: { path: "migration.sql", content: { tag: "ok", value: m.sql } },
        })),
      },
      filters: noFilters,
    });
    return result.appliedMigrationNames;
  });
}

/**
 * SQL that takes a database from `from` (a schema text, or nothing) to `to`. The engine only
 * needs the connection to start; the diff itself is computed from the two texts.
 */
export async function diffSchemas(
  connectionString: string,
  from: string | null,
  to: string,
): Promise<string> {
  return withEngine(connectionString, to, async (engine) => {
    const result = await engine.diff({
      from: from === null ? { tag: "empty" } : schemaTarget(from),
      to: schemaTarget(to),
      script: true,
      exitCode: null,
      filters: noFilters,
    });
    return result.stdout ?? "";
  });
}

function schemaTarget(content: string) {
  return {
    tag: "schemaDatamodel" as const,
    files: [{ path: "schema.prisma", content }],
  };
}

export type MigrationStatus = { applied: number; pending: string[]; failed: string[] };

/** Compares the migrations on disk with `_prisma_migrations` (readiness uses this). */
export async function migrationStatus(
  query: (sql: string) => Promise<Array<{ migration_name: string; finished: boolean }>>,
  onDisk: string[],
): Promise<MigrationStatus> {
  let rows: Array<{ migration_name: string; finished: boolean }>;
  try {
    rows = await query(
      `select migration_name, finished_at is not null and rolled_back_at is null as finished
       from _prisma_migrations`,
    );
  } catch (error) {
    if ((error as { code?: string }).code === "42P01") rows = [];
    else throw error;
  }
  const finished = new Set(rows.filter((r) => r.finished).map((r) => r.migration_name));
  const failed = rows.filter((r) => !r.finished).map((r) => r.migration_name);
  return {
    applied: finished.size,
    pending: onDisk.filter((name) => !finished.has(name)),
    failed,
  };
}

export async function listMigrationNames(): Promise<string[]> {
  return (await readMigrations()).map((m) => m.name);
}

/** Plain pg client for admin tasks (creating databases) that Prisma does not do. */
export async function withPgClient<T>(
  connectionString: string,
  run: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}
