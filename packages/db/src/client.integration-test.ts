import { afterAll, beforeAll, expect, test } from "vitest";
import { inPgTransaction } from "./client";
import { withPgClient } from "./migrations";
import { createTestDatabase, type TestDatabase } from "./testing";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
});

test("a connection that dies inside inPgTransaction fails the work, not the process, and is not reused", async () => {
  let killedPid = 0;
  await expect(
    inPgTransaction(database.db, async (client) => {
      const { rows } = await client.query<{ pid: number }>("select pg_backend_pid() as pid");
      killedPid = rows[0]!.pid;
      await withPgClient(database.url, (admin) => admin.query("select pg_terminate_backend($1)", [killedPid]));
      // The socket error arrives while no query is running: only a listener on the client sees it.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await client.query("select 1");
    }),
  ).rejects.toThrow();
  const { rows } = await database.db.$pool.query<{ pid: number }>("select pg_backend_pid() as pid");
  expect(rows[0]!.pid).not.toBe(killedPid);
  await expect(inPgTransaction(database.db, (client) => client.query("select 1 as one"))).resolves.toMatchObject({
    rows: [{ one: 1 }],
  });
});

test("a query PostgreSQL refuses leaves its connection in the pool; a broken connection is dropped", async () => {
  const pool = database.db.$pool;
  const pidOf = async () => (await pool.query<{ pid: number }>("select pg_backend_pid() as pid")).rows[0]!.pid;
  const pid = await pidOf();
  await expect(pool.query("select 1 / 0")).rejects.toMatchObject({ code: "22012" });
  await expect(
    new Promise((resolve, reject) => pool.query("select 1 / 0", (error) => (error ? reject(error) : resolve(undefined)))),
  ).rejects.toMatchObject({ code: "22012" });
  // The pool hands out its most recently released connection: the same one, still open.
  expect(await pidOf()).toBe(pid);
  expect(pool.totalCount).toBe(1);

  await expect(pool.query("select pg_terminate_backend(pg_backend_pid())")).rejects.toThrow();
  const next = await pidOf();
  expect(next).not.toBe(pid);
  expect(pool.totalCount).toBe(1);
});
