import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { afterAll, beforeAll, expect, test } from "vitest";
import { emitDomainEvent } from "../events/emit-domain-event";
import { getSettlementSummary, settlementCsvLines } from "./get-settlement-summary";

let database: TestDatabase;
const day0 = "2026-03-01";
const day1 = "2026-03-02";
const day2 = "2026-03-03";

async function event(type: string, day: string, amount: bigint, currency: string, userId: string) {
  const id = await database.db.$transaction((tx) =>
    emitDomainEvent(tx, {
      type,
      aggregateType: type.startsWith("escrow") ? "contract" : (type.split(".")[0] as "deposit" | "payout"),
      aggregateId: `${type}-${day}-${userId}`,
      userIds: [userId],
      payload: { amount, currency, userId },
    }),
  );
  await database.db.domainEvent.update({ where: { id }, data: { createdAt: new Date(`${day}T12:00:00Z`) } });
}

beforeAll(async () => {
  database = await createTestDatabase();
  await event("deposit.confirmed", day0, 1_000n, "USD", "u1");
  await event("deposit.confirmed", day1, 100_000n, "KES", "u1");
  await event("escrow.funded", day1, 20_000n, "KES", "u1");
  await event("deposit.confirmed", day2, 50_000n, "KES", "u2");
  await event("payout.paid", day2, 30_000n, "KES", "u1");
  await event("payout.failed", day2, 5_000n, "KES", "u1");
  await event("escrow.released", day2, 15_000n, "KES", "u2");
  // Not a settlement event, and one after the period: both ignored.
  await event("deposit.created", day1, 999n, "KES", "u1");
  await event("deposit.confirmed", "2026-03-05", 7n, "KES", "u1");
});

afterAll(async () => {
  await database?.drop();
});

const period = { from: new Date(`${day1}T00:00:00Z`), to: new Date("2026-03-04T00:00:00Z") };

test("per currency: period totals, and closing balances that include earlier periods", async () => {
  const summary = await getSettlementSummary({ db: database.db, ...period });
  const kes = summary.rows.find((r) => r.currency === "KES")!;
  expect(kes.depositsConfirmed).toEqual({ count: 2, amount: "150000", formatted: "1,500.00" });
  expect(kes.payoutsPaid.amount).toBe("30000");
  expect(kes.payoutsFailed).toMatchObject({ count: 1, amount: "5000" });
  expect(kes.escrowFunded.amount).toBe("20000");
  expect(kes.escrowReleased.amount).toBe("15000");
  expect(kes.escrowRefunded).toMatchObject({ count: 0, amount: "0" });
  expect(kes.closingHeld.amount).toBe("120000");
  expect(kes.closingEscrow.amount).toBe("5000");
  const usd = summary.rows.find((r) => r.currency === "USD")!;
  expect(usd.depositsConfirmed.amount).toBe("0");
  expect(usd.closingHeld).toMatchObject({ amount: "1000", formatted: "10.00" });
});

test("per day: each day closes with everything up to it", async () => {
  const summary = await getSettlementSummary({ db: database.db, ...period, groupBy: ["day"], currency: "KES" });
  expect(summary.rows.map((r) => [r.day, r.depositsConfirmed.amount, r.closingHeld.amount])).toEqual([
    [day1, "100000", "100000"],
    [day2, "50000", "120000"],
  ]);
});

test("per producer, and as CSV with minor and formatted columns", async () => {
  const summary = await getSettlementSummary({ db: database.db, ...period, groupBy: ["producer"], currency: "KES" });
  expect(summary.rows.map((r) => [r.producerId, r.closingHeld.amount])).toEqual([
    ["u1", "70000"],
    ["u2", "50000"],
  ]);
  const lines = [...settlementCsvLines(summary)];
  expect(lines[0]).toMatch(/^currency,producer_id,deposits_confirmed_count,deposits_confirmed_minor,deposits_confirmed_formatted,/);
  expect(lines[1]).toContain('KES,u1,1,100000,"1,000.00"');
  expect(lines).toHaveLength(3);
});

test("an empty or reversed period is refused naming the field", async () => {
  await expect(
    getSettlementSummary({ db: database.db, from: period.to, to: period.from }),
  ).rejects.toMatchObject({ code: "VALIDATION_FAILED", fields: [{ path: "to" }] });
});
