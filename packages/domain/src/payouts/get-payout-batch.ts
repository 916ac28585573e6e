import { DomainError } from "@agrinet/core";
import type { Db } from "@agrinet/db";
import { batchProgress } from "@agrinet/stores/payout-runs";

export type PayoutBatchView = {
  batchId: string;
  requestedBy: string;
  filters: unknown;
  total: number;
  processed: number;
  failed: number;
  queued: number;
  /** Amount per currency, minor units as strings. */
  totals: Record<string, string>;
  createdAt: Date;
  finishedAt: Date | null;
};

/** A run's progress, counted live from its payouts (for the dashboard's progress bar). */
export async function getPayoutBatch(options: { db: Db; batchId: string }): Promise<PayoutBatchView> {
  const batch = await options.db.payoutBatch.findUnique({ where: { id: options.batchId } });
  if (!batch) {
    throw new DomainError("NOT_FOUND", `payout batch ${options.batchId} does not exist`, {
      fields: [{ path: "batchId", message: "no such batch" }],
    });
  }
  const progress = await batchProgress(options.db, batch.id);
  const finishedAt = batch.finishedAt ?? (progress.queued === 0 ? new Date() : null);
  if (!batch.finishedAt && progress.queued === 0) {
    await options.db.payoutBatch.update({
      where: { id: batch.id },
      data: { processed: progress.processed, failed: progress.failed, finishedAt },
    });
  }
  return {
    batchId: batch.id,
    requestedBy: batch.requestedBy,
    filters: batch.filters,
    total: batch.total,
    ...progress,
    totals: batch.totals as Record<string, string>,
    createdAt: batch.createdAt,
    finishedAt,
  };
}
