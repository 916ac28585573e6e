import type { Db } from "@agrinet/db";

export type PayoutBatchSummary = {
  batchId: string;
  requestedBy: string;
  filters: unknown;
  total: number;
  /** Paid. */
  processed: number;
  /** Failed or cancelled. */
  failed: number;
  /** Still queued or processing (0 once the run has finished). */
  queued: number;
  /** Amount per currency the run took, minor units as strings. */
  totals: Record<string, string>;
  createdAt: Date;
  finishedAt: Date | null;
};

/**
 * Past payout runs, newest first, keyset-paginated (the cursor is the last run's id). A finished
 * run's counts are the ones stored when it finished; a run still going is counted live from its
 * payouts, in one statement for the page.
 */
export async function listPayoutBatches(options: {
  db: Db;
  limit: number;
  cursor?: string | undefined;
}): Promise<{ items: PayoutBatchSummary[]; nextCursor: string | null }> {
  const { db } = options;
  const rows = await db.payoutBatch.findMany({
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: options.limit + 1,
    ...(options.cursor ? { cursor: { id: options.cursor }, skip: 1 } : {}),
  });
  const page = rows.slice(0, options.limit);
  const running = page.filter((batch) => !batch.finishedAt).map((batch) => batch.id);
  const live = new Map<string, { processed: number; failed: number; queued: number }>();
  if (running.length > 0) {
    const counts = await db.payout.groupBy({ by: ["batchId", "status"], where: { batchId: { in: running } }, _count: { _all: true } });
    for (const { batchId, status, _count } of counts) {
      const entry = live.get(batchId!) ?? { processed: 0, failed: 0, queued: 0 };
      if (status === "paid") entry.processed += _count._all;
      else if (status === "failed" || status === "cancelled") entry.failed += _count._all;
      else entry.queued += _count._all;
      live.set(batchId!, entry);
    }
  }
  const items = page.map((batch) => ({
    batchId: batch.id,
    requestedBy: batch.requestedBy,
    filters: batch.filters,
    total: batch.total,
    ...(batch.finishedAt
      ? { processed: batch.processed, failed: batch.failed, queued: 0 }
      : (live.get(batch.id) ?? { processed: 0, failed: 0, queued: 0 })),
    totals: batch.totals as Record<string, string>,
    createdAt: batch.createdAt,
    finishedAt: batch.finishedAt,
  }));
  return { items, nextCursor: rows.length > options.limit ? items[items.length - 1]!.batchId : null };
}
