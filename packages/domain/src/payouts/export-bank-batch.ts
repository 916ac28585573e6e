import { payoutTransactionLimits } from "./payout-jobs";
import { randomBytes } from "node:crypto";
import { DomainError, type CurrencyCode } from "@agrinet/core";
import type { Db } from "@agrinet/db";
import { removeJobs } from "@agrinet/job-queue";
import { exportBankPayoutBatchCsv } from "@agrinet/rails";
import { recordAudit } from "../audit/record-audit";
import { emitDomainEvent } from "../events/emit-domain-event";
import type { PayoutDestination } from "./payout-destination";

export type ExportBankBatchOptions = {
  db: Db;
  requestedBy: string;
  /** Re-download an earlier export (the same rows, nothing changes). */
  batchId?: string;
  currency?: CurrencyCode;
  limit: number;
};

export type BankBatchExport = { batchId: string; count: number; csv: string; totals: Record<string, string> };

/**
 * Bank payouts are paid by an operator in the bank's portal. Exporting takes the bank payouts
 * not yet exported (queued, or taken by a run), moves them to `processing` under a new batch
 * and returns the CSV to upload; each is then marked paid or failed (`markBankPayout`).
 */
export async function exportBankBatch(options: ExportBankBatchOptions): Promise<BankBatchExport> {
  const { db } = options;
  if (options.batchId) {
    const batch = await db.payoutBatch.findUnique({ where: { id: options.batchId } });
    if (!batch) throw new DomainError("NOT_FOUND", `payout batch ${options.batchId} does not exist`);
    const rows = await db.payout.findMany({
      where: { batchId: batch.id, destinationType: "bank" },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    });
    return { batchId: batch.id, count: rows.length, csv: toCsv(rows), totals: batch.totals as Record<string, string> };
  }
  const batchId = `pb_${randomBytes(10).toString("hex")}`;
  const currency = options.currency ?? null;
  return db.$transaction(async (tx) => {
    await tx.payoutBatch.create({
      data: { id: batchId, requestedBy: options.requestedBy, filters: { destinationType: "bank", currency, limit: options.limit } },
    });
    const picked = await tx.$queryRaw<Array<{ id: string; status: string }>>`
      select id, status from payouts
      where destination_type = 'bank'
        and (status = 'queued' or (status = 'processing' and provider_request_id is null))
        and (${currency}::text is null or currency = ${currency}::text)
      order by created_at, id
      limit ${options.limit}
      for update skip locked`;
    const ids = picked.map((p) => p.id);
    if (ids.length > 0) {
      // The worker has nothing to do for these any more: the operator completes them.
      await removeJobs(tx, ids);
      await tx.$executeRaw`
        update payouts set status = 'processing', batch_id = ${batchId}, attempts = attempts + 1,
          processing_at = coalesce(processing_at, now()), provider_request_id = ${`export:${batchId}`}, updated_at = now()
        where id = any(${ids}::text[])`;
    }
    const rows = await tx.payout.findMany({ where: { id: { in: ids } }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
    const totals: Record<string, bigint> = {};
    for (const row of rows) {
      totals[row.currency] = (totals[row.currency] ?? 0n) + row.amount;
      if (picked.find((p) => p.id === row.id)?.status === "queued") {
        await emitDomainEvent(tx, {
          type: "payout.processing",
          aggregateType: "payout",
          aggregateId: row.id,
          userIds: [row.userId],
          payload: { payoutId: row.id, amount: row.amount, currency: row.currency, batchId },
        });
      }
    }
    const totalsText = Object.fromEntries(Object.entries(totals).map(([c, a]) => [c, a.toString()]));
    await tx.payoutBatch.update({ where: { id: batchId }, data: { total: rows.length, totals: totalsText } });
    await recordAudit(tx, { actor: options.requestedBy, action: "payout.bank_batch_exported", target: `payout_batch:${batchId}`, metadata: { count: rows.length } });
    return { batchId, count: rows.length, csv: toCsv(rows), totals: totalsText };
  }, payoutTransactionLimits);
}

function toCsv(rows: Array<{ id: string; amount: bigint; currency: string; destination: unknown; reference: string }>) {
  return exportBankPayoutBatchCsv(
    rows.map((row) => {
      const destination = row.destination as Extract<PayoutDestination, { type: "bank" }>;
      return {
        payoutId: row.id,
        amount: row.amount,
        currency: row.currency,
        accountNumber: destination.account,
        bankCode: destination.bankCode,
        accountName: destination.accountName,
        reference: row.id,
      };
    }),
  );
}
