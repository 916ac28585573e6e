import {
  booleanFromText,
  queryTextRows,
  textArrayLiteral,
  type Payout,
  type Queryable,
  type TextRow,
  type Tx,
} from "@agrinet/db";

/*
 * The payouts area's SQL: every statement on the payouts table and the payout SQL functions,
 * with typed rows. Domain code calls these and never sees a column, a text literal or the
 * client that ran the query.
 */
/** What a payout looked like when a worker took it, and what it is now (null status: final). */
export type StartedPayout = {
  id: string;
  previousAttempts: number;
  previousRequestId: string | null;
  /** The provider key of the request this attempt sends (the payout id unless retried after a final failure). */
  providerKey: string;
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
       returning p.id, p.user_id, p.status, p.destination_type, p.destination, p.amount, p.currency, p.batch_id, p.provider_key
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
            coalesce(u.provider_key, c.id) as "providerKey", u.status, u.destination_type as "destinationType", u.destination, u.amount::text as amount, u.currency
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
        providerKey: row.providerKey,
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
 * "Accepted, the result comes later": the one way a payout starts waiting for the provider's
 * result, for one payout or many in one statement. For each payout not final: stores the
 * provider's request id (when given); plans status check number `check` (the due time on the
 * row, and one call adding the sweep jobs that cover them), except for a bank payout (it waits
 * for an operator, not a provider) and after `limits.maxStatusChecks`, when the checks stop and the payout
 * says why. Rows are locked in id order first, like every batch, found by primary key alone and
 * their status checked once locked: with `status = 'processing'` beside the ids, a plan made
 * while few payouts were processing read every processing payout through the status index for
 * each batch (2.3 ms a batch of 10 with 10,000 processing, instead of 0.3). Returns the ids
 * whose status check is now planned.
 */
export async function markAwaitingResults(
  db: Queryable,
  items: AwaitingPayout[],
  /** The last check planned, and what a payout records once its checks run out. */
  limits: { maxStatusChecks: number; noResultError: string },
): Promise<Set<string>> {
  const { rows } = await db.query<{ id: string }>({
    name: "payouts-await-results",
    text: `with input as (
       select * from unnest($1::text[], $2::text[], $3::int[], $4::float8[]) as x(id, request_id, check_no, after_secs)
     ),
     locked as (
       select p.id, p.status, p.destination_type from payouts p where p.id = any($1::text[])
       order by p.id for update
     ),
     decided as (
       select l.id, x.request_id, x.check_no, x.after_secs,
              l.destination_type <> 'bank' and x.check_no <= $5::int as plan,
              l.destination_type <> 'bank' and x.check_no > $5::int as give_up
       from locked l join input x on x.id = l.id
       where l.status not in ('paid', 'failed', 'cancelled') and (x.request_id is not null or l.destination_type <> 'bank')
     ),
     waiting as (
       update payouts p set provider_request_id = coalesce(d.request_id, p.provider_request_id),
                            status_check = case when d.plan then d.check_no when d.give_up then null else p.status_check end,
                            status_check_at = case when d.plan then now() + make_interval(secs => d.after_secs)
                                                   when d.give_up then null else p.status_check_at end,
                            last_error = case when d.give_up then $6::text else p.last_error end,
                            updated_at = now()
       from decided d
       where p.id = d.id
       returning p.id, d.plan, p.status_check_at
     ),
     scheduled as (select schedule_payout_status_sweeps(array(select w.status_check_at from waiting w where w.plan)) as jobs)
     select w.id from waiting w, scheduled where w.plan`,
    values: [
      items.map((i) => i.payoutId),
      items.map((i) => i.providerRequestId ?? null),
      items.map((i) => i.check),
      items.map((i) => i.afterMs / 1000),
      limits.maxStatusChecks,
      limits.noResultError,
    ],
  });
  return new Set(rows.map((row) => row.id));
}

/** What a callback needs to know about the payout it names; `providerKey`: its current request's. */
export type CallbackPayout = { id: string; status: string; amount: bigint; currency: string; providerRequestId: string | null; providerKey: string };

function decodeCallbackPayout([id, status, amount, currency, providerRequestId, providerKey]: TextRow): CallbackPayout {
  return { id: id!, status: status!, amount: BigInt(amount!), currency: currency!, providerRequestId: providerRequestId ?? null, providerKey: providerKey! };
}

/**
 * One statement on the pool for many payouts: every M-Pesa payout brings two callbacks here.
 * queryTextRows rather than object rows: the columns come back as text, nothing parsed per row.
 */
export async function readCallbackPayouts(db: Queryable, payoutIds: string[]): Promise<Map<string, CallbackPayout>> {
  const rows = await queryTextRows(db, {
    name: "payouts-read-for-callbacks",
    text: `select id, status, amount::text, currency, provider_request_id, coalesce(provider_key, id) from payouts where id = any($1::text[])`,
    values: [textArrayLiteral(payoutIds)],
  });
  const found = new Map<string, CallbackPayout>();
  for (const row of rows) {
    const payout = decodeCallbackPayout(row);
    found.set(payout.id, payout);
  }
  return found;
}

export type DueStatusCheck = { payoutId: string; check: number };

/**
 * Takes up to `limit` processing payouts whose status check is due, skipping those another
 * sweep holds, and moves their due time `leaseMs` ahead, with the sweep job for that time, in
 * the same statement: a worker that dies before it asks leaves each of them due again then,
 * with the same check number. Asking normally plans the next check, replacing the lease.
 */
export async function claimDueStatusChecks(db: Queryable, options: { limit: number; leaseMs: number }): Promise<DueStatusCheck[]> {
  // Named: each connection plans it once, not every sweep (planning cost PostgreSQL about as much
  // as running it under `pnpm bench:payouts`).
  const { rows } = await db.query<DueStatusCheck>({
    name: "payouts-claim-due-status-checks",
    text: `with due as (
       select id from payouts
       where status = 'processing' and status_check_at <= now()
       order by status_check_at, id
       limit $1
       for update skip locked
     ),
     claimed as (
       update payouts p set status_check_at = now() + make_interval(secs => $2::float8)
       from due where p.id = due.id
       returning p.id, p.status_check, p.status_check_at
     ),
     scheduled as (select schedule_payout_status_sweeps(array(select c.status_check_at from claimed c)) as jobs)
     select c.id as "payoutId", coalesce(c.status_check, 1) as "check" from claimed c, scheduled
     order by c.id`,
    values: [options.limit, options.leaseMs / 1000],
  });
  return rows;
}

/** One row of payouts_settle's answer. */
export type SettledPayoutRow = { payoutId: string; status: string; changed: boolean; refused: "unknown-payout" | "already-final" | "amount-mismatch" | null };

export type PayoutsSettleItem = {
  payoutId: string;
  providerReference: string;
  /** Whole units M-Pesa confirmed, and the error to record when they are not the payout's amount. */
  confirmed?: { wholeUnits: bigint; mismatchError: string };
};

/**
 * The SQL function payouts_settle (prisma/sql/payouts_settle.sql) for a batch, one statement on
 * the pool. queryTextRows rather than pg's query: every payout passes here, and the rows are
 * four short columns of text. `currencyFactors`: 10^exponent per supported currency, which
 * payouts_settle uses to compare confirmed whole units with minor units.
 */
export async function callPayoutsSettle(
  db: Queryable,
  items: PayoutsSettleItem[],
  currencyFactors: { currencies: string[]; factors: bigint[] },
): Promise<SettledPayoutRow[]> {
  const rows = await queryTextRows(db, {
    name: "payouts-settle",
    text: `select payout_id, status, changed, refused
     from payouts_settle($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::bigint[])`,
    values: [
      textArrayLiteral(items.map((item) => item.payoutId)),
      textArrayLiteral(items.map((item) => item.providerReference)),
      textArrayLiteral(items.map((item) => item.confirmed?.wholeUnits.toString() ?? null)),
      textArrayLiteral(items.map((item) => item.confirmed?.mismatchError ?? null)),
      textArrayLiteral(currencyFactors.currencies),
      textArrayLiteral(currencyFactors.factors.map(String)),
    ],
  });
  return rows.map(([payoutId, status, changed, refused]) => ({
    payoutId: payoutId!,
    status: status!,
    changed: booleanFromText(changed),
    refused: (refused ?? null) as SettledPayoutRow["refused"],
  }));
}

const payoutColumns = `id, user_id as "userId", amount, currency, destination_type as "destinationType",
  destination, contract_id as "contractId", reference, request_hash as "requestHash",
  status, attempts, last_error as "lastError", provider_reference as "providerReference",
  provider_request_id as "providerRequestId", provider_key as "providerKey", hold_id as "holdId",
  ledger_snapshot as "ledgerSnapshot", batch_id as "batchId", job_id as "jobId",
  status_check as "statusCheck", status_check_at as "statusCheckAt",
  created_at as "createdAt", updated_at as "updatedAt", processing_at as "processingAt",
  paid_at as "paidAt", failed_at as "failedAt", cancelled_at as "cancelledAt"`;

/**
 * Locks the payout row for the rest of the transaction: one writer decides each transition.
 * One statement reads and locks (Prisma has no FOR UPDATE): every payout passes here three
 * times, and each round trip through Prisma costs milliseconds of the worker's CPU.
 */
export async function lockPayout(tx: Tx, payoutId: string): Promise<Payout | null> {
  const rows = await tx.$queryRawUnsafe<Payout[]>(`select ${payoutColumns} from payouts where id = $1 for update`, payoutId);
  return rows[0] ?? null;
}

/**
 * Records why an attempt did not finish, on the payout (`last_error`; it stays `processing` for
 * the next attempt) and on that attempt's own row, in one statement. The attempt row is written
 * here rather than inferred later by the payout_attempts trigger from timestamps: an answer equal
 * to the previous attempt's leaves `last_error` unchanged, and two clocks (rounded to the
 * millisecond) cannot say reliably whether it came after the attempt started.
 */
export async function recordAttemptError(db: Queryable, payoutId: string, error: string): Promise<void> {
  await db.query({
    name: "payouts-record-attempt-error",
    text: `with payout as (
       update payouts set last_error = $2, updated_at = now() where id = $1 and status = 'processing'
       returning id, attempts
     )
     update payout_attempts a set error = $2
     from payout where a.payout_id = payout.id and a.attempt = payout.attempts and a.finished_at is null`,
    values: [payoutId, error],
  });
}

/**
 * Locks the payout until the transaction ends only if it is `processing` (a worker started it);
 * false otherwise. A queued payout stays unlocked: a run taking the queue at that moment (SKIP
 * LOCKED) would otherwise leave it behind, queued for good.
 */
export async function lockProcessingPayout(tx: Tx, payoutId: string): Promise<boolean> {
  const rows = await tx.$queryRaw<Array<{ id: string }>>`
    select id from payouts where id = ${payoutId} and status = 'processing' for update`;
  return rows.length > 0;
}

/**
 * Plans status check number `check` of a processing payout in `afterMs` (replacing any planned
 * one), with the sweep job that will run it, in the caller's transaction.
 */
export async function scheduleStatusCheck(tx: Tx, options: { payoutId: string; afterMs: number; check: number }): Promise<void> {
  await tx.$executeRaw`
    with planned as (
      update payouts set status_check = ${options.check}::int,
                         status_check_at = now() + make_interval(secs => ${options.afterMs / 1000}::double precision)
      where id = ${options.payoutId}
      returning status_check_at
    )
    select schedule_payout_status_sweeps(array(select status_check_at from planned))`;
}
