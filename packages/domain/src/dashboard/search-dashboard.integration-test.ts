import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { afterAll, beforeAll, expect, test } from "vitest";
import { searchDashboard } from "./search-dashboard";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  await database.db.deposit.create({
    data: { partnerId: "partner_default", id: "dep_search_1", userId: "user_search", amount: 250_000n, currency: "KES", method: "mpesa", reference: "SBK7XYZ123" },
  });
});

afterAll(async () => {
  await database?.drop();
});

const search = (query: string) => searchDashboard({ db: database.db, query });

test("finds a deposit by id and by reference (an M-Pesa receipt), and its user by user id", async () => {
  expect((await search("dep_search_1")).map((hit) => [hit.kind, hit.matched])).toEqual([["deposit", "id"]]);
  const byReceipt = await search(" SBK7XYZ123 ");
  expect(byReceipt).toEqual([
    expect.objectContaining({ kind: "deposit", id: "dep_search_1", matched: "reference", amount: "250000", currency: "KES", userId: "user_search" }),
  ]);
  expect((await search("user_search")).map((hit) => [hit.kind, hit.id])).toEqual([["user", "user_search"]]);
});

test("nothing for an unknown, partial or empty term", async () => {
  expect(await search("SBK7")).toEqual([]);
  expect(await search("")).toEqual([]);
  expect(await search("999999999")).toEqual([]);
});
