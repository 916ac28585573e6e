import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Context } from "./context";
import { appRouter, createCallerFactory } from "./index";

// DATABASE_READ_URL: two databases stand for the primary and a replica that has not caught up,
// so which one each procedure read is visible.
let primary: TestDatabase;
let replica: TestDatabase;
const createCaller = createCallerFactory(appRouter);
const admin = { kind: "staff", userId: "staff_admin", email: "admin@example.test", role: "admin" } as const;
const context = (db: TestDatabase, readDb?: TestDatabase): Context => ({
  db: db.db,
  readDb: readDb?.db,
  requestId: "test",
  principal: admin,
  ip: null,
  expectedMigrations: [],
});

beforeAll(async () => {
  [primary, replica] = await Promise.all([createTestDatabase(), createTestDatabase()]);
});

afterAll(async () => {
  await Promise.all([primary?.drop(), replica?.drop()]);
});

test("dashboard lists read the replica; confirming a deposit (money) reads the primary", async () => {
  const deposit = { userId: "user_replica", amount: 5000, currency: "KES", method: "bank", metadata: {} } as const;
  const onReplicaOnly = await createCaller(context(replica)).deposits.create({ ...deposit, reference: "REPLICA-ONLY" });
  await createCaller(context(primary)).deposits.create({ ...deposit, reference: "PRIMARY-ONLY" });

  const caller = createCaller(context(primary, replica));
  const listed = await caller.deposits.list({});
  expect(listed.items.map((d) => d.reference)).toEqual(["REPLICA-ONLY"]);
  const payouts = await caller.payouts.listPayouts({});
  expect(payouts.items).toEqual([]);

  await expect(caller.deposits.confirm({ depositId: onReplicaOnly.id, evidenceUrl: "https://bank.example/s/1" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  // Without a replica, lists read the primary.
  const alone = await createCaller(context(primary)).deposits.list({});
  expect(alone.items.map((d) => d.reference)).toEqual(["PRIMARY-ONLY"]);
});
