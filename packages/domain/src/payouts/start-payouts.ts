import type { Db, Queryable } from "@agrinet/db";
import { createGroupCommit } from "../shared/group-commit";

/** What a payout looked like when a worker took it, and what it is now (null status: final). */
export type StartedPayout = {
  id: string;
  previousAttempts: number;
  previousRequestId: string | null;
  status: string | null;
  destinationType: string | null;
  destination: unknown;
  amount: bigint | null;
  currency: string | null;
};

/**
 * Takes many payouts in one statement (one round trip, one commit): locks their rows in id
 * order (the order every batch takes them), moves each that is not final to `processing` (one
 * more attempt) and emits `payout.processing` for those that were queued, in the same
 * statement. No NOTIFY: it would serialise these commits with every other notifying one, and
 * the outbox dispatcher finds the events on its next poll (or the settlement's wake-up).
 * Missing payouts are absent from the answer.
 */
export async function startPayouts(db: Queryable, payoutIds: string[]): Promise<Map<string, StartedPayout>> {
  const { rows } = await db.query<Omit<StartedPayout, "amount"> & { amount: string | null }>({
    name: "payouts-start",
    text: `with current as (
       select id, status, attempts, provider_request_id from payouts where id = any($1::text[]) order by id for update
     ),
     updated as (
       update payouts p set status = 'processing', attempts = p.attempts + 1,
                            processing_at = coalesce(p.processing_at, now()), updated_at = now()
       from current c
       where p.id = c.id and c.status not in ('paid', 'failed', 'cancelled')
       returning p.id, p.user_id, p.status, p.destination_type, p.destination, p.amount, p.currency, p.batch_id
     ),
     events as (
       insert into domain_events (type, aggregate_type, aggregate_id, user_ids, payload)
       select 'payout.processing', 'payout', u.id, array[u.user_id],
              jsonb_build_object('payoutId', u.id, 'amount', u.amount::text, 'currency', u.currency, 'batchId', u.batch_id)
       from updated u join current c on c.id = u.id where c.status = 'queued'
       order by u.id
       returning id
     )
     select c.id, c.attempts as "previousAttempts", c.provider_request_id as "previousRequestId",
            u.status, u.destination_type as "destinationType", u.destination, u.amount::text as amount, u.currency
     from current c left join updated u on u.id = c.id`,
    values: [payoutIds],
  });
  return new Map(
    rows.map((row) => [
      row.id,
      {
        id: row.id,
        previousAttempts: row.previousAttempts,
        previousRequestId: row.previousRequestId,
        status: row.status,
        destinationType: row.destinationType,
        destination: row.destination,
        amount: row.amount === null ? null : BigInt(row.amount),
        currency: row.currency,
      },
    ]),
  );
}

export type AwaitingPayout = {
  payoutId: string;
  /** The provider's id for the request, which its result callback must name. */
  providerRequestId?: string;
  /** Which status check is scheduled (1 for the first), and when it runs. */
  check: number;
  afterMs: number;
};

/**
 * "Accepted, the result comes later" for many payouts in one statement: stores each one's
 * request id and plans its status check (the due time on the row, and one call adding the
 * sweep jobs that cover them), only while the payout is still `processing` and not a bank
 * payout. Rows are locked in id order first, like every batch, found by primary key alone and
 * their status checked once locked: with `status = 'processing'` beside the ids, a plan made
 * while few payouts were processing read every processing payout through the status index for
 * each batch (2.3 ms a batch of 10 with 10,000 processing, instead of 0.3). Returns the ids
 * that matched; the others take the general path.
 */
export async function awaitPayoutResults(db: Queryable, items: AwaitingPayout[]): Promise<Set<string>> {
  const { rows } = await db.query<{ id: string }>({
    name: "payouts-await-results",
    text: `with input as (
       select * from unnest($1::text[], $2::text[], $3::int[], $4::float8[]) as x(id, request_id, check_no, after_secs)
     ),
     locked as (
       select p.id, p.status, p.destination_type from payouts p where p.id = any($1::text[])
       order by p.id for update
     ),
     waiting as (
       update payouts p set provider_request_id = coalesce(x.request_id, p.provider_request_id), status_check = x.check_no,
                            status_check_at = now() + make_interval(secs => x.after_secs), updated_at = now()
       from locked l join input x on x.id = l.id
       where p.id = l.id and l.status = 'processing' and l.destination_type <> 'bank'
       returning p.id, p.status_check_at
     ),
     scheduled as (select schedule_payout_status_sweeps(array(select w.status_check_at from waiting w)) as jobs)
     select w.id from waiting w, scheduled`,
    values: [
      items.map((i) => i.payoutId),
      items.map((i) => i.providerRequestId ?? null),
      items.map((i) => i.check),
      items.map((i) => i.afterMs / 1000),
    ],
  });
  return new Set(rows.map((row) => row.id));
}

export type PayoutWorkerBatches = {
  start(payoutId: string): Promise<StartedPayout | null>;
  /** True when the payout now waits for its result (see awaitPayoutResults). */
  awaitResult(item: AwaitingPayout): Promise<boolean>;
};

/**
 * A worker's payout jobs reach these statements one by one (each after its own HTTP call), so
 * without a wait a batch held ~6 payouts; waiting this long halves the statements and commits
 * per payout, for a few ms on a payout that takes seconds.
 */
export const payoutWorkerGatherMs = 3;

/**
 * One per worker process: the payout jobs running at once start, and then wait for their
 * results, in shared statements instead of one round trip and one commit each.
 */
export function createPayoutWorkerBatches(options: { db: Db; maxBatch?: number; gatherMs?: number }): PayoutWorkerBatches {
  const pool = options.db.$pool;
  const gatherMs = options.gatherMs ?? payoutWorkerGatherMs;
  const start = createGroupCommit<string, StartedPayout | null>({
    key: (id) => id,
    maxBatch: options.maxBatch,
    gatherMs,
    run: async (ids) => {
      const started = await startPayouts(pool, ids);
      return ids.map((id) => started.get(id) ?? null);
    },
  });
  const awaitResult = createGroupCommit<AwaitingPayout, boolean>({
    key: (item) => item.payoutId,
    maxBatch: options.maxBatch,
    gatherMs,
    run: async (items) => {
      const waiting = await awaitPayoutResults(pool, items);
      return items.map((item) => waiting.has(item.payoutId));
    },
  });
  return { start, awaitResult };
}

/** The same statements for one payout at a time (tests, callers without a batch). */
export function unbatchedPayoutWorker(db: Db): PayoutWorkerBatches {
  return {
    start: async (payoutId) => (await startPayouts(db.$pool, [payoutId])).get(payoutId) ?? null,
    awaitResult: async (item) => (await awaitPayoutResults(db.$pool, [item])).has(item.payoutId),
  };
}
