import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createTestDatabase, type TestDatabase } from "./testing/index";
import { diffSchemas, schemaPath, withPgClient } from "./migrations";

// The migrated database (the template) and a database built straight from schema.prisma must
// describe the same tables, columns, indexes and foreign keys; hand-written extras (checks,
// triggers, functions) are outside Prisma's model and not compared.
const catalogQuery = `
  select 'column' as kind, table_name || '.' || column_name as name,
         concat_ws(' ', data_type, udt_name, character_maximum_length, numeric_precision,
                   datetime_precision, is_nullable, column_default) as detail
  from information_schema.columns
  where table_schema = 'public' and table_name <> '_prisma_migrations'
  union all
  select 'index', indexname, regexp_replace(indexdef, ' ON public\\.', ' ON ')
  from pg_indexes where schemaname = 'public' and tablename <> '_prisma_migrations'
  union all
  select 'constraint', conrelid::regclass::text || '.' || conname, pg_get_constraintdef(oid)
  from pg_constraint
  where connamespace = 'public'::regnamespace and contype in ('p', 'u', 'f')
    and conrelid::regclass::text <> '_prisma_migrations'
  union all
  select 'enum', t.typname, string_agg(e.enumlabel, ',' order by e.enumsortorder)
  from pg_type t join pg_enum e on e.enumtypid = t.oid
  where t.typnamespace = 'public'::regnamespace group by t.typname
  order by 1, 2`;

let migrated: TestDatabase;
let fromSchema: TestDatabase;

beforeAll(async () => {
  [migrated, fromSchema] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  await withPgClient(fromSchema.url, async (client) => {
    await client.query("drop schema public cascade; create schema public");
    const sql = await diffSchemas(fromSchema.url, null, await readFile(schemaPath, "utf8"));
    await client.query(sql);
  });
});

afterAll(async () => {
  await Promise.all([migrated?.drop(), fromSchema?.drop()]);
});

test("the migrated database matches schema.prisma", async () => {
  const dump = (url: string) =>
    withPgClient(url, async (client) => (await client.query(catalogQuery)).rows);
  const [actual, expected] = await Promise.all([dump(migrated.url), dump(fromSchema.url)]);
  expect(expected.length).toBeGreaterThan(0);
  expect(actual).toEqual(expected);
});
