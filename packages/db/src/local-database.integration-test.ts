// Issue #23, operator commands: `pnpm ledger:verify`, `db:seed`, `db:migrate` and `keys:create`
// run beside `pnpm start` use the embedded PostgreSQL that is already running on the data
// directory, instead of dying while trying to start a second server on it.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, expect, test } from "vitest";
import { openLocalDatabase } from "./local-database";

const dataDir = await mkdtemp(join(tmpdir(), "agrinet-local-db-"));
const opened: Array<{ close(): Promise<void> }> = [];
afterAll(async () => {
  for (const database of opened.reverse()) await database.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function selectOne(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ one: number }>("select 1 as one")).rows[0]!.one;
  } finally {
    await client.end();
  }
}

test("a second command on a running data directory connects to that server and leaves it running", { timeout: 120_000 }, async () => {
  const running = await openLocalDatabase(undefined, { dataDir });
  opened.push(running);
  expect(running.embedded).not.toBeNull();

  const beside = await openLocalDatabase(undefined, { dataDir });
  expect(beside.embedded).toBeNull();
  expect(beside.url).toBe(running.url);
  expect(await selectOne(beside.url)).toBe(1);
  await beside.close();
  // Closing the second leaves the first server up.
  expect(await selectOne(running.url)).toBe(1);
});
