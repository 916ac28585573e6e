import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { createDepositInput } from "@agrinet/schemas";
import { afterAll, beforeAll, expect, test } from "vitest";
import { confirmDeposit } from "../deposits/confirm-deposit";
import { createDeposit } from "../deposits/create-deposit";
import { failDeposit } from "../deposits/fail-deposit";
import { createHold } from "../ledger/create-hold";
import { postLedgerTransaction } from "../ledger/post-ledger-transaction";
import { getOverview } from "./get-overview";

let database: TestDatabase;
const now = new Date("2026-11-24T12:00:00Z");

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
});

async function deposit(reference: string, userId: string, amount: number, currency: string, outcome: "pending" | "confirmed" | "failed") {
  const created = await createDeposit({
    db: database.db,
    input: createDepositInput.parse({ userId, amount, currency, method: "mpesa", reference }),
    minAmount: 0n,
    chargeStripe: null,
  });
  if (outcome === "confirmed") {
    await confirmDeposit({ db: database.db, depositId: created.id, confirmedBy: "test", evidenceUrl: "https://example.org/r.jpg" });
  }
  if (outcome === "failed") await failDeposit({ db: database.db, depositId: created.id, reason: "no such M-Pesa transaction" });
  return created;
}

async function payout(id: string, status: string, amount: bigint, currency: string, paidAt?: Date) {
  await database.db.payout.create({
    data: {
      partnerId: "partner_default", id,
      userId: "user_prod1",
      amount,
      currency,
      destinationType: "mpesa",
      destination: { type: "mpesa", account: "254700000001" },
      reference: `ref-${id}`,
      requestHash: "test",
      status,
      paidAt: paidAt ?? null,
      providerReference: paidAt ? `MPESA-${id}` : null,
    },
  });
}

test("an empty platform has no balances, nothing pending and an empty volume window", async () => {
  const overview = await getOverview({ db: database.db, now });
  expect(overview).toMatchObject({
    balances: [],
    pendingDeposits: [],
    payouts: { queued: [], processing: [], failed: [] },
    volume: { from: "2026-10-26", to: "2026-11-24", days: [] },
  });
});

test("sums balances per currency and kind, counts pending deposits and open payouts", async () => {
  await deposit("OV-1", "user_a", 250000, "KES", "confirmed");
  await deposit("OV-2", "user_b", 100000, "KES", "confirmed");
  await deposit("OV-3", "user_b", 75000, "KES", "pending");
  await deposit("OV-4", "user_c", 120000, "UGX", "pending");
  await deposit("OV-5", "user_c", 999, "UGX", "failed");
  // Move part of a wallet into escrow and a fee to the platform; hold some of a wallet.
  await postLedgerTransaction(database.db, {
    idempotencyKey: "ov-escrow",
    kind: "escrow_fund",
    postings: [
      { account: "user:user_a:wallet:KES", amount: -50000n, currency: "KES" },
      { account: "contract:c1:escrow:KES", amount: 45000n, currency: "KES" },
      { account: "platform:ntari:KES", amount: 5000n, currency: "KES" },
    ],
  });
  await createHold(database.db, { idempotencyKey: "ov-hold", account: "user:user_b:wallet:KES", amount: 30000n, currency: "KES" });
  await payout("po_q1", "queued", 30000n, "KES");
  await payout("po_q2", "queued", 10000n, "KES");
  await payout("po_f1", "failed", 7000n, "KES");
  await payout("po_p1", "processing", 2000n, "USD");
  await payout("po_paid", "paid", 4000n, "KES", new Date("2026-11-23T08:00:00Z"));

  const overview = await getOverview({ db: database.db, now });

  expect(overview.balances).toEqual([
    {
      currency: "KES",
      posted: { wallets: "300000", escrow: "45000", platform: "5000", inFlight: "0", clearing: "-350000" },
      held: { wallets: "30000", escrow: "0", platform: "0", inFlight: "0", clearing: "0" },
      accounts: 5,
    },
  ]);
  // Balanced: every currency's buckets sum to zero.
  const kes = overview.balances[0]!.posted;
  expect(Object.values(kes).reduce((sum, value) => sum + BigInt(value), 0n)).toBe(0n);

  expect(overview.pendingDeposits).toEqual([
    { currency: "KES", count: 1, amount: "75000" },
    { currency: "UGX", count: 1, amount: "120000" },
  ]);
  expect(overview.payouts).toEqual({
    queued: [{ currency: "KES", count: 2, amount: "40000" }],
    processing: [{ currency: "USD", count: 1, amount: "2000" }],
    failed: [{ currency: "KES", count: 1, amount: "7000" }],
  });
});

test("volume: confirmed deposits and paid payouts per UTC day inside the window only", async () => {
  // Deposits are confirmed at the database's clock; these two are moved to fixed days.
  const old = await deposit("OV-OLD", "user_a", 11111, "KES", "confirmed");
  await database.db.deposit.update({ where: { id: old.id }, data: { confirmedAt: new Date("2026-09-01T10:00:00Z") } });
  const edge = await deposit("OV-EDGE", "user_a", 22222, "KES", "confirmed");
  await database.db.deposit.update({ where: { id: edge.id }, data: { confirmedAt: new Date("2026-10-26T00:00:00Z") } });

  const overview = await getOverview({ db: database.db, now });
  const days = overview.volume.days;
  expect(days.find((d) => d.day === "2026-10-26")).toEqual({ day: "2026-10-26", currency: "KES", depositsConfirmed: "22222", payoutsPaid: "0" });
  expect(days.find((d) => d.day === "2026-11-23")).toEqual({ day: "2026-11-23", currency: "KES", depositsConfirmed: "0", payoutsPaid: "4000" });
  expect(days.some((d) => d.day === "2026-09-01")).toBe(false);
  expect(days.every((d) => d.day >= "2026-10-26" && d.day <= "2026-11-24")).toBe(true);

  const today = new Date();
  const live = await getOverview({ db: database.db, now: today });
  const todayKes = live.volume.days.find((d) => d.day === today.toISOString().slice(0, 10) && d.currency === "KES");
  // OV-1 and OV-2, confirmed today in the test above; OV-OLD and OV-EDGE were moved away.
  expect(todayKes?.depositsConfirmed).toBe("350000");
});

test("issue #23 row 6: sums beyond int8 (rows from before the amount cap) still answer, exactly", async () => {
  const max = 9_223_372_036_854_775_807n;
  // Straight into the table: the amount cap refuses such deposits on the way in.
  for (const reference of ["OV-HUGE-1", "OV-HUGE-2"]) {
    await database.db.deposit.create({
      data: { partnerId: "partner_default", id: `dep_${reference}`, userId: "user_huge", amount: max, currency: "TZS", method: "mpesa", reference },
    });
  }
  const overview = await getOverview({ db: database.db, now });
  expect(overview.pendingDeposits.find((row) => row.currency === "TZS")).toEqual({
    currency: "TZS",
    count: 2,
    amount: (2n * max).toString(),
  });
  await database.db.deposit.deleteMany({ where: { userId: "user_huge" } });
});

test("the window against the one before it: volume in and out per currency, paid and failed payout counts", async () => {
  // A month of its own, far from the other tests' days: now 2027-06-30, window 06-01..06-30, before it 05-02..05-31.
  const at = new Date("2027-06-30T08:00:00Z");
  const confirmedOn = async (reference: string, amount: number, day: string) => {
    const created = await deposit(reference, "user_cmp", amount, "KES", "confirmed");
    await database.db.deposit.update({ where: { id: created.id }, data: { confirmedAt: new Date(`${day}T09:00:00Z`) } });
  };
  await confirmedOn("CMP-NOW-1", 50_000, "2027-06-01");
  await confirmedOn("CMP-NOW-2", 25_000, "2027-06-30");
  await confirmedOn("CMP-BEFORE", 10_000, "2027-05-31");
  await confirmedOn("CMP-OUTSIDE", 99_000, "2027-05-01");
  await payout("po_cmp_paid_now", "paid", 30_000n, "KES", new Date("2027-06-15T10:00:00Z"));
  await payout("po_cmp_paid_before", "paid", 7_000n, "KES", new Date("2027-05-02T00:00:00Z"));
  await payout("po_cmp_paid_before_2", "paid", 1_000n, "KES", new Date("2027-05-20T00:00:00Z"));
  await payout("po_cmp_failed_now", "failed", 4_000n, "KES");
  await database.db.payout.update({ where: { id: "po_cmp_failed_now" }, data: { failedAt: new Date("2027-06-16T00:00:00Z") } });

  const overview = await getOverview({ db: database.db, now: at });
  expect(overview.comparison.current).toEqual({ from: "2027-06-01", to: "2027-06-30" });
  expect(overview.comparison.previous).toEqual({ from: "2027-05-02", to: "2027-05-31" });
  expect(overview.comparison.currencies).toEqual([
    {
      currency: "KES",
      current: { depositsConfirmed: "75000", depositsConfirmedCount: 2, payoutsPaid: "30000", payoutsPaidCount: 1, payoutsFailedCount: 1 },
      previous: { depositsConfirmed: "10000", depositsConfirmedCount: 1, payoutsPaid: "8000", payoutsPaidCount: 2, payoutsFailedCount: 0 },
    },
  ]);
  // The chart keeps its own window: the day before it is only in the comparison.
  expect(overview.volume.days.map((d) => d.day)).toEqual(["2027-06-01", "2027-06-15", "2027-06-30"]);
});
