import type { Db, Tx } from "@agrinet/db";

/*
 * Payout runs and bank exports: choosing queued payouts for a batch (oldest first, SKIP LOCKED so
 * two runs split the queue instead of waiting on each other) and reading a batch's progress.
 */

export type RunFilters = { currency: string | null; destinationType: string | null };

/** What a run would take, per currency, without taking it. */
export async function previewRun(db: Db, filters: RunFilters & { limit: number }) {
  const rows = await db.$queryRaw<Array<{ currency: string; count: bigint; amount: bigint }>>`
    with picked as (
      select currency, amount from payouts
      where status = 'queued' and batch_id is null
        and (${filters.currency}::text is null or currency = ${filters.currency}::text)
        and (${filters.destinationType}::text is null or destination_type = ${filters.destinationType}::text)
      order by created_at, id
      limit ${filters.limit}
    )
    select currency, count(*)::bigint as count, sum(amount)::bigint as amount
    from picked group by currency order by currency`;
  return rows.map((r) => ({ currency: r.currency, count: Number(r.count), amount: r.amount }));
}

export type TaggedPayout = { id: string; jobId: string | null; currency: string; amount: bigint };

/** Tags up to `limit` queued payouts (oldest first) with the batch and returns them. */
export async function tagQueuedPayouts(tx: Tx, options: RunFilters & { batchId: string; limit: number }): Promise<TaggedPayout[]> {
  const rows = await tx.$queryRaw<Array<{ id: string; job_id: string | null; currency: string; amount: bigint }>>`
    with picked as (
      select id from payouts
      where status = 'queued' and batch_id is null
        and (${options.currency}::text is null or currency = ${options.currency}::text)
        and (${options.destinationType}::text is null or destination_type = ${options.destinationType}::text)
      order by created_at, id
      limit ${options.limit}
      for update skip locked
    )
    update payouts p set batch_id = ${options.batchId}, updated_at = now()
    from picked where p.id = picked.id
    returning p.id, p.job_id, p.currency, p.amount`;
  return rows.map((r) => ({ id: r.id, jobId: r.job_id, currency: r.currency, amount: r.amount }));
}

/** processed = paid, failed = failed or cancelled, queued = the rest (queued or processing). */
export async function batchProgress(db: Db, batchId: string): Promise<{ processed: number; failed: number; queued: number }> {
  const rows = await db.$queryRaw<Array<{ processed: bigint; failed: bigint; pending: bigint }>>`
    select count(*) filter (where status = 'paid')::bigint as processed,
           count(*) filter (where status in ('failed', 'cancelled'))::bigint as failed,
           count(*) filter (where status in ('queued', 'processing'))::bigint as pending
    from payouts where batch_id = ${batchId}`;
  const row = rows[0]!;
  return { processed: Number(row.processed), failed: Number(row.failed), queued: Number(row.pending) };
}

/** Locks the bank payouts not yet exported (queued, or taken by a run without a provider request). */
export async function lockUnexportedBankPayouts(tx: Tx, options: { currency: string | null; limit: number }) {
  return tx.$queryRaw<Array<{ id: string; status: string }>>`
    select id, status from payouts
    where destination_type = 'bank'
      and (status = 'queued' or (status = 'processing' and provider_request_id is null))
      and (${options.currency}::text is null or currency = ${options.currency}::text)
    order by created_at, id
    limit ${options.limit}
    for update skip locked`;
}

/** Moves exported bank payouts to processing under the export's batch, one attempt more each. */
export async function markBankPayoutsExported(tx: Tx, options: { batchId: string; payoutIds: string[] }): Promise<void> {
  await tx.$executeRaw`
    update payouts set status = 'processing', batch_id = ${options.batchId}, attempts = attempts + 1,
      processing_at = coalesce(processing_at, now()), provider_request_id = ${`export:${options.batchId}`}, updated_at = now()
    where id = any(${options.payoutIds}::text[])`;
}
