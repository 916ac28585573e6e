import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { afterAll, beforeAll, expect, test } from "vitest";
import { seedDemoDeposits } from "./seed-demo-deposits";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
});

test("seeds pending and confirmed deposits once; a second run changes nothing", async () => {
  expect((await seedDemoDeposits({ db: database.db })).length).toBeGreaterThan(0);
  const counts = async () => ({
    pending: await database.db.deposit.count({ where: { status: "pending" } }),
    confirmed: await database.db.deposit.count({ where: { status: "confirmed" } }),
    ledger: await database.db.$queryRaw<{ n: bigint }[]>`select count(*)::bigint as n from ledger_transactions`,
  });
  const first = await counts();
  expect(first.pending).toBeGreaterThan(0);
  expect(first.confirmed).toBeGreaterThan(0);
  expect(await seedDemoDeposits({ db: database.db })).toEqual([]);
  expect(await counts()).toEqual(first);
});
