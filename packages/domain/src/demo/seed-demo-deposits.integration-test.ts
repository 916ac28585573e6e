import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { afterAll, beforeAll, expect, test } from "vitest";
import { rateDemoContracts, registerDemoContracts } from "./seed-demo-contracts";
import { seedDemoDeposits } from "./seed-demo-deposits";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
});

test("seeds pending and confirmed deposits once; a second run changes nothing", async () => {
  // Two demo deposits fund demo contracts, which must exist first.
  await registerDemoContracts({ db: database.db });
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

test("the demo contracts end released (contract_45ab, for the spec's payout) and disputed", async () => {
  await registerDemoContracts({ db: database.db });
  await seedDemoDeposits({ db: database.db });
  await rateDemoContracts({ db: database.db });
  expect(await rateDemoContracts({ db: database.db })).toEqual([]);
  const contracts = await database.db.contract.findMany({ orderBy: { id: "asc" } });
  expect(contracts.map((c) => [c.id, c.status, c.settledAmount])).toEqual([
    ["contract_45ab", "released", 180_000n],
    ["contract_demo_dispute", "disputed", 0n],
  ]);
});
