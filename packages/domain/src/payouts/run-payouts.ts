import { payoutTransactionLimits } from "./payout-jobs";
import { randomBytes } from "node:crypto";
import type { CurrencyCode } from "@agrinet/core";
import type { Db } from "@agrinet/db";
import { runJobsNow } from "@agrinet/job-queue";
import { recordAudit } from "../audit/record-audit";
import { assertWorkerOnline } from "../system/assert-worker-online";
import type { PayoutDestinationType } from "./payout-destination";

export type RunPayoutsFilters = {
  currency?: CurrencyCode;
  destinationType?: PayoutDestinationType;
  /** At most this many payouts, oldest first. */
  limit?: number;
};

export type RunPayoutsOptions = {
  db: Db;
  /** Who started the run: a staff user id or "cron". */
  requestedBy: string;
  filters: RunPayoutsFilters;
  dryRun?: boolean;
  /** How long to wait for the batch to finish before answering with what is done so far. */
  waitMs: number;
  pollMs?: number;
  workerHeartbeatMaxAgeMs?: number;
  /** Who asked, for the audit log (written with the batch). */
  audit?: { actor: string; ip: string | null };
  /** Payouts tagged per transaction (default 1,000). */
  chunkSize?: number;
};

export type CurrencyTotal = { currency: string; count: number; amount: bigint };

export type DryRunSummary = { dryRun: true; count: number; totals: CurrencyTotal[] };

export type BatchSummary = {
  dryRun: false;
  batchId: string;
  jobIds: string[];
  total: number;
  processed: number;
  failed: number;
  /** Payouts of the batch not finished yet (queued or processing). */
  queued: number;
  totals: CurrencyTotal[];
  finished: boolean;
};

/** The spec's default batch size when a run names no limit. */
export const defaultRunLimit = 10_000;
export const maxRunLimit = 50_000;

/**
 * `POST /admin/payouts/run`: takes the queued payouts that match, tags them with a new batch
 * and makes their jobs runnable now (they were added with each payout, waiting for a run), then
 * waits up to `waitMs` for the worker and reports the spec's counts. The batch carries on after
 * the answer; `getPayoutBatch` reads its progress.
 */
export async function runPayouts(options: RunPayoutsOptions): Promise<DryRunSummary | BatchSummary> {
  const { db, filters } = options;
  const limit = Math.min(filters.limit ?? defaultRunLimit, maxRunLimit);
  const currency = filters.currency ?? null;
  const destinationType = filters.destinationType ?? null;

  if (options.dryRun) {
    const rows = await db.$queryRaw<Array<{ currency: string; count: bigint; amount: bigint }>>`
      with picked as (
        select currency, amount from payouts
        where status = 'queued' and batch_id is null
          and (${currency}::text is null or currency = ${currency}::text)
          and (${destinationType}::text is null or destination_type = ${destinationType}::text)
        order by created_at, id
        limit ${limit}
      )
      select currency, count(*)::bigint as count, sum(amount)::bigint as amount
      from picked group by currency order by currency`;
    const totals = rows.map((r) => ({ currency: r.currency, count: Number(r.count), amount: r.amount }));
    return { dryRun: true, count: totals.reduce((n, t) => n + t.count, 0), totals };
  }

  await assertWorkerOnline({ db, maxAgeMs: options.workerHeartbeatMaxAgeMs });

  const batchId = `pb_${randomBytes(10).toString("hex")}`;
  await db.$transaction(async (tx) => {
    await tx.payoutBatch.create({
      data: { id: batchId, requestedBy: options.requestedBy, filters: { ...filters, limit } },
    });
    if (options.audit) {
      await recordAudit(tx, {
        ...options.audit,
        action: "payout.run",
        target: `payout_batch:${batchId}`,
        metadata: { filters: { ...filters, limit } },
      });
    }
  }, payoutTransactionLimits);

  // The batch is taken a chunk per transaction: the worker starts on the first chunk while the
  // rest are tagged, rather than after one transaction over up to 50,000 payouts (half a second
  // at 10,000, with nothing paid meanwhile). Each chunk tags its payouts, makes their jobs
  // runnable and adds them to the batch's counts together, so a run cut short leaves a smaller
  // batch whose counts are right.
  const jobIds: string[] = [];
  const totals = new Map<string, CurrencyTotal>();
  let total = 0;
  while (total < limit) {
    const chunk = Math.min(options.chunkSize ?? defaultChunkSize, limit - total);
    const rows = await db.$transaction(async (tx) => {
      // SKIP LOCKED: two runs at once split the queue instead of waiting on each other.
      const rows = await tx.$queryRaw<Array<{ id: string; job_id: string | null; currency: string; amount: bigint }>>`
        with picked as (
          select id from payouts
          where status = 'queued' and batch_id is null
            and (${currency}::text is null or currency = ${currency}::text)
            and (${destinationType}::text is null or destination_type = ${destinationType}::text)
          order by created_at, id
          limit ${chunk}
          for update skip locked
        )
        update payouts p set batch_id = ${batchId}, updated_at = now()
        from picked where p.id = picked.id
        returning p.id, p.job_id, p.currency, p.amount`;
      if (rows.length === 0) return rows;
      const chunkJobIds = rows.flatMap((r) => (r.job_id ? [r.job_id] : []));
      await runJobsNow(tx, chunkJobIds);
      addByCurrency(totals, rows);
      await tx.payoutBatch.update({
        where: { id: batchId },
        data: { total: total + rows.length, totals: totalsJson(totals) },
      });
      return rows;
    }, payoutTransactionLimits);
    for (const row of rows) if (row.job_id) jobIds.push(row.job_id);
    total += rows.length;
    if (rows.length < chunk) break;
  }
  const picked = { jobIds, totals: sortedTotals(totals), total };

  const deadline = Date.now() + options.waitMs;
  let progress = await batchProgress(db, batchId);
  while (progress.queued > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(options.pollMs ?? 250, Math.max(deadline - Date.now(), 1))));
    progress = await batchProgress(db, batchId);
  }
  const finished = progress.queued === 0;
  await db.payoutBatch.update({
    where: { id: batchId },
    data: { processed: progress.processed, failed: progress.failed, ...(finished ? { finishedAt: new Date() } : {}) },
  });
  return {
    dryRun: false,
    batchId,
    jobIds: picked.jobIds,
    total: picked.total,
    ...progress,
    totals: picked.totals,
    finished,
  };
}

const defaultChunkSize = 1_000;

function addByCurrency(totals: Map<string, CurrencyTotal>, rows: Array<{ currency: string; amount: bigint }>): void {
  for (const row of rows) {
    const total = totals.get(row.currency) ?? { currency: row.currency, count: 0, amount: 0n };
    total.count += 1;
    total.amount += row.amount;
    totals.set(row.currency, total);
  }
}

function sortedTotals(totals: Map<string, CurrencyTotal>): CurrencyTotal[] {
  return [...totals.values()].sort((a, b) => a.currency.localeCompare(b.currency));
}

function totalsJson(totals: Map<string, CurrencyTotal>): Record<string, string> {
  return Object.fromEntries(sortedTotals(totals).map((t) => [t.currency, t.amount.toString()]));
}

/** processed = paid, failed = failed or cancelled, queued = the rest (queued or processing). */
export async function batchProgress(db: Db, batchId: string) {
  const rows = await db.$queryRaw<Array<{ processed: bigint; failed: bigint; pending: bigint }>>`
    select count(*) filter (where status = 'paid')::bigint as processed,
           count(*) filter (where status in ('failed', 'cancelled'))::bigint as failed,
           count(*) filter (where status in ('queued', 'processing'))::bigint as pending
    from payouts where batch_id = ${batchId}`;
  const row = rows[0]!;
  return { processed: Number(row.processed), failed: Number(row.failed), queued: Number(row.pending) };
}
