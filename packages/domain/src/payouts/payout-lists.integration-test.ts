import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { afterAll, beforeAll, expect, test } from "vitest";
import { listPayoutBatches } from "./list-payout-batches";
import { listPayouts } from "./list-payouts";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  const db = database.db;
  const day = (n: number) => new Date(Date.UTC(2026, 11, n, 12));
  await db.payoutBatch.create({
    data: { id: "pb_00000000000000000001", requestedBy: "staff:a", total: 2, processed: 1, failed: 1, totals: { KES: "3000" }, createdAt: day(1), finishedAt: day(1) },
  });
  await db.payoutBatch.create({ data: { id: "pb_00000000000000000002", requestedBy: "cron", total: 3, totals: { KES: "1000", UGX: "500" }, createdAt: day(2) } });
  const payout = (id: string, batchId: string | null, status: string, createdAt: Date) =>
    db.payout.create({
      data: {
        partnerId: "partner_default",
        id,
        userId: "user_runs",
        amount: 1_000n,
        currency: "KES",
        destinationType: "mpesa",
        destination: { type: "mpesa", account: "+254711000000" },
        reference: `ref-${id}`,
        requestHash: "h",
        status,
        batchId,
        createdAt,
        ...(status === "paid" ? { providerReference: `R${id}`, paidAt: createdAt } : {}),
      },
    });
  await payout("po_runs_1", "pb_00000000000000000002", "paid", day(2));
  await payout("po_runs_2", "pb_00000000000000000002", "failed", day(3));
  await payout("po_runs_3", "pb_00000000000000000002", "processing", day(4));
});

afterAll(async () => {
  await database?.drop();
});

test("payout runs newest first: a finished run's stored counts, a running run's counted live, totals per currency", async () => {
  const db = database.db;
  const first = await listPayoutBatches({ db, limit: 1 });
  expect(first.items).toEqual([
    expect.objectContaining({ batchId: "pb_00000000000000000002", requestedBy: "cron", total: 3, processed: 1, failed: 1, queued: 1, totals: { KES: "1000", UGX: "500" }, finishedAt: null }),
  ]);
  expect(first.nextCursor).toBe("pb_00000000000000000002");
  const second = await listPayoutBatches({ db, limit: 1, cursor: first.nextCursor! });
  expect(second.items).toEqual([expect.objectContaining({ batchId: "pb_00000000000000000001", processed: 1, failed: 1, queued: 0 })]);
  expect(second.nextCursor).toBeNull();
});

test("payouts filtered by creation date: from inclusive, to exclusive", async () => {
  const db = database.db;
  const ids = async (filters: { from?: Date; to?: Date }) => (await listPayouts({ db, filters, limit: 10 })).items.map((p) => p.id);
  expect(await ids({ from: new Date(Date.UTC(2026, 11, 3)) })).toEqual(["po_runs_3", "po_runs_2"]);
  expect(await ids({ to: new Date(Date.UTC(2026, 11, 3)) })).toEqual(["po_runs_1"]);
  expect(await ids({ from: new Date(Date.UTC(2026, 11, 3)), to: new Date(Date.UTC(2026, 11, 4)) })).toEqual(["po_runs_2"]);
});

test("payouts sorted by amount either way, ties by id, paged with the same cursor", async () => {
  const db = database.db;
  for (const [id, amount] of [["po_sort_b", 500n], ["po_sort_a", 500n], ["po_sort_c", 9_000n], ["po_sort_d", 70n]] as const) {
    await db.payout.create({
      data: {
        partnerId: "partner_default",
        id,
        userId: "user_sort",
        amount,
        currency: "KES",
        destinationType: "mpesa",
        destination: { type: "mpesa", account: "+254711000000" },
        reference: `ref-${id}`,
        requestHash: "h",
      },
    });
  }
  const walk = async (direction: "asc" | "desc") => {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listPayouts({ db, filters: { userId: "user_sort" }, limit: 1, cursor, sort: { by: "amount", direction } });
      ids.push(...page.items.map((p) => p.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return ids;
  };
  expect(await walk("asc")).toEqual(["po_sort_d", "po_sort_a", "po_sort_b", "po_sort_c"]);
  expect(await walk("desc")).toEqual(["po_sort_c", "po_sort_b", "po_sort_a", "po_sort_d"]);
});
