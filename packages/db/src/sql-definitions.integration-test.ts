import { expect, test } from "vitest";
import { withPgClient } from "./migrations";
import { readSqlDefinitionFiles, readSqlDefinitions } from "./sql-definitions";
import { createTestDatabase } from "./testing";

test("prisma/sql holds the current definition of every function and trigger the migrations leave", async () => {
  const database = await createTestDatabase();
  try {
    const inDatabase = await withPgClient(database.url, readSqlDefinitions);
    const onDisk = await readSqlDefinitionFiles();
    const stale = [...new Set([...inDatabase.keys(), ...onDisk.keys()])]
      .filter((file) => inDatabase.get(file) !== onDisk.get(file))
      .map((file) => `prisma/sql/${file} (${!onDisk.has(file) ? "missing" : !inDatabase.has(file) ? "no longer defined" : "differs"})`);
    expect(stale, "prisma/sql is out of date with the migrations: run `pnpm db:sql:dump` and commit the result").toEqual([]);
    expect(inDatabase.has("functions/ledger_post_transaction.sql")).toBe(true);
  } finally {
    await database.drop();
  }
});
