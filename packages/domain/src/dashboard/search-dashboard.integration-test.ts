import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { afterAll, beforeAll, expect, test } from "vitest";
import { amountCandidates, phoneNumberForms, searchDashboard, searchHitsPerKind } from "./search-dashboard";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  await database.db.deposit.create({
    data: { partnerId: "partner_default", id: "dep_search_1", userId: "user_search", amount: 250_000n, currency: "KES", method: "mpesa", reference: "SBK7XYZ123" },
  });
  // An STK Push deposit: the caller's reference, the payer's phone and M-Pesa's receipt on its collection.
  await database.db.deposit.create({
    data: { partnerId: "partner_default", id: "dep_stk_1", userId: "user_payer", amount: 99_900n, currency: "KES", method: "mpesa", reference: "order-77" },
  });
  await database.db.mpesaPayment.create({
    data: { id: "mp_1", kind: "stk", depositId: "dep_stk_1", phoneNumber: "+254711222333", receipt: "SKL1RCPT99", currency: "KES", state: "paid" },
  });
  const payout = (id: string, amount: bigint, currency: string, account: string, extra: object = {}) =>
    database.db.payout.create({
      data: {
        partnerId: "partner_default",
        id,
        userId: "user_producer",
        amount,
        currency,
        destinationType: "mpesa",
        destination: { type: "mpesa", account },
        reference: `ref-${id}`,
        requestHash: "h",
        ...extra,
      },
    });
  await payout("pay_search_1", 180_000n, "KES", "+254708374149", { providerReference: "TXN0B2C777", status: "processing" });
  await payout("pay_search_ugx", 1_800n, "UGX", "+256708374149");
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

test("finds deposits and payouts by phone number in any form the operator types", async () => {
  for (const typed of ["+254711222333", "0711 222 333", "254711222333", "711-222-333"]) {
    expect((await search(typed)).map((hit) => [hit.kind, hit.id, hit.matched]), typed).toEqual([["deposit", "dep_stk_1", "phone"]]);
  }
  // Only the last nine digits tell M-Pesa numbers apart, so both payouts to 708374149 show.
  expect((await search("0708374149")).map((hit) => [hit.kind, hit.id, hit.matched]).sort()).toEqual([
    ["payout", "pay_search_1", "phone"],
    ["payout", "pay_search_ugx", "phone"],
  ]);
});

test("finds a deposit by its M-Pesa receipt and a payout by its rail receipt", async () => {
  expect((await search("SKL1RCPT99")).map((hit) => [hit.kind, hit.id, hit.matched])).toEqual([["deposit", "dep_stk_1", "receipt"]]);
  expect((await search("TXN0B2C777")).map((hit) => [hit.kind, hit.id, hit.matched])).toEqual([["payout", "pay_search_1", "receipt"]]);
});

test("finds deposits and payouts by exact amount as the dashboard shows it, per currency", async () => {
  const ids = async (typed: string) => (await search(typed)).map((hit) => `${hit.kind}:${hit.id}:${hit.matched}`).sort();
  // 1,800 is KES 1,800.00 (180000 minor units) and UGX 1,800 (no decimals).
  expect(await ids("1,800")).toEqual(["payout:pay_search_1:amount", "payout:pay_search_ugx:amount"]);
  expect(await ids("KES 1800.00")).toEqual(["payout:pay_search_1:amount"]);
  expect(await ids("1800.50")).toEqual([]);
  expect(await ids("2,500")).toEqual(["deposit:dep_search_1:amount"]);
  expect(await ids("999.00")).toEqual(["deposit:dep_stk_1:amount"]);
});

test("a common amount shows its newest matches, a bounded number", async () => {
  await database.db.deposit.createMany({
    data: Array.from({ length: searchHitsPerKind + 5 }, (_, index) => ({
      partnerId: "partner_default",
      id: `dep_many_${index}`,
      userId: "user_many",
      amount: 777_00n,
      currency: "KES",
      method: "cash" as const,
      reference: `many-${index}`,
      createdAt: new Date(Date.UTC(2026, 0, 1 + index)),
    })),
  });
  const hits = await search("777");
  expect(hits).toHaveLength(searchHitsPerKind);
  expect(hits[0]).toMatchObject({ id: `dep_many_${searchHitsPerKind + 4}`, matched: "amount" });
});

test("phone forms and amount candidates", () => {
  expect(phoneNumberForms("12345")).toEqual([]);
  expect(phoneNumberForms("+254 712 345 678")).toContain("0712345678");
  expect(amountCandidates("UGX 1,800.5")).toEqual([]);
  expect(amountCandidates("1,80")).toEqual([]);
  expect(amountCandidates("usd 12.5")).toEqual([{ amount: 1250n, currencies: ["USD"] }]);
});
