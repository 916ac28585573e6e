import { migrationStatus, type Db, type MigrationStatus, type Tx } from "@agrinet/db";

/* The system area's SQL outside the job queue: the worker heartbeat check and the overview's aggregates. */

/** Whether a worker's heartbeat is younger than `maxAgeMs` by the database's clock. */
export async function workerBeatWithin(db: Db | Tx, maxAgeMs: number): Promise<boolean> {
  const rows = await db.$queryRaw<Array<{ alive: boolean }>>`
    select exists (
      select 1 from worker_heartbeats
      where beat_at > now() - make_interval(secs => ${maxAgeMs / 1000}::double precision)
    ) as alive`;
  return rows[0]?.alive ?? false;
}

/** Counts, and sums in minor units as text: sum(bigint) is numeric and may pass int8. */
export type OverviewFigures = {
  balances: Array<{ ownerType: string; currency: string; posted: string; held: string; accounts: number }>;
  pendingDeposits: Array<{ currency: string; count: number; amount: string }>;
  openPayouts: Array<{ status: string; currency: string; count: number; amount: string }>;
  /** Confirmed deposits per UTC day (YYYY-MM-DD) and currency in [from, to). */
  depositVolume: Array<{ day: string; currency: string; count: number; amount: string }>;
  /** Paid and failed payouts per UTC day, currency and status in [from, to). */
  payoutVolume: Array<{ day: string; currency: string; status: string; count: number; amount: string }>;
};

/**
 * The overview's aggregates, each over a bounded set of rows: balances from ledger_balances (one
 * row per account, kept current with each posting, never summed from postings); pending deposits
 * and open payouts through the status indexes; the volume reads only its own days. Sums as text:
 * casting sum(bigint) back to bigint fails once a sum passes int8 (rows from before AMOUNT_MAX).
 * Currencies trimmed (char(3) columns).
 */
export async function readOverviewFigures(db: Db, window: { from: Date; to: Date }): Promise<OverviewFigures> {
  const [balances, pendingDeposits, openPayouts, depositVolume, payoutVolume] = await Promise.all([
    db.$queryRaw<OverviewFigures["balances"]>`
      select a.owner_type as "ownerType", trim(b.currency) as currency, sum(b.posted)::text as posted,
             sum(b.held)::text as held, count(*)::int as accounts
        from ledger_balances b
        join ledger_accounts a on a.id = b.account_id
       group by a.owner_type, b.currency`,
    db.$queryRaw<OverviewFigures["pendingDeposits"]>`
      select trim(currency) as currency, count(*)::int as count, sum(amount)::text as amount
        from deposits
       where status = 'pending'
       group by currency`,
    db.$queryRaw<OverviewFigures["openPayouts"]>`
      select status::text as status, trim(currency) as currency, count(*)::int as count, sum(amount)::text as amount
        from payouts
       where status in ('queued', 'processing', 'failed')
       group by status, currency`,
    db.$queryRaw<OverviewFigures["depositVolume"]>`
      select to_char(confirmed_at at time zone 'UTC', 'YYYY-MM-DD') as day, trim(currency) as currency,
             count(*)::int as count, sum(amount)::text as amount
        from deposits
       where status = 'confirmed' and confirmed_at >= ${window.from} and confirmed_at < ${window.to}
       group by 1, 2`,
    db.$queryRaw<OverviewFigures["payoutVolume"]>`
      select to_char(coalesce(paid_at, failed_at) at time zone 'UTC', 'YYYY-MM-DD') as day, trim(currency) as currency,
             status::text as status, count(*)::int as count, sum(amount)::text as amount
        from payouts
       where (status = 'paid' and paid_at >= ${window.from} and paid_at < ${window.to})
          or (status = 'failed' and failed_at >= ${window.from} and failed_at < ${window.to})
       group by 1, 2, 3`,
  ]);
  return { balances, pendingDeposits, openPayouts, depositVolume, payoutVolume };
}

/** Whether the server behind `readDb` is a replica, and its replay lag in seconds (0 when caught up). */
export async function readReplicaLag(readDb: Db): Promise<{ replica: boolean; lagSeconds: number | null }> {
  const [row] = await readDb.$queryRaw<Array<{ replica: boolean; lag: number | null }>>`
    select pg_is_in_recovery() as replica,
           case when not pg_is_in_recovery() then null
                when pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() then 0
                else extract(epoch from now() - pg_last_xact_replay_timestamp()) end::float8 as lag`;
  return { replica: row!.replica, lagSeconds: row!.lag };
}

/** The workers whose heartbeat is younger than `maxAgeSeconds` by the database's clock. */
export async function liveWorkerIds(db: Db, maxAgeSeconds: number): Promise<string[]> {
  const rows = await db.$queryRaw<Array<{ worker_id: string }>>`
    select worker_id from worker_heartbeats
    where beat_at > now() - make_interval(secs => ${maxAgeSeconds}::double precision)`;
  return rows.map((row) => row.worker_id);
}

/** Forgets heartbeats older than `olderThanSeconds` by the database's clock. */
export async function forgetStaleHeartbeats(db: Db, olderThanSeconds: number): Promise<void> {
  await db.$executeRaw`
    delete from worker_heartbeats where beat_at < now() - make_interval(secs => ${olderThanSeconds}::double precision)`;
}

/** The migrations on disk compared with what this database has applied. */
export function readMigrationStatus(db: Db, onDisk: string[]): Promise<MigrationStatus> {
  return migrationStatus((sql) => db.$queryRawUnsafe(sql), onDisk);
}

/** Payouts sent to their rail and not yet answered, by rail: how many, and the oldest's wait in seconds. */
export function processingPayoutsByRail(db: Db): Promise<Array<{ rail: string; count: number; oldest: number }>> {
  return db.$queryRaw<Array<{ rail: string; count: number; oldest: number }>>`
    select destination_type as rail, count(*)::int as count,
           extract(epoch from now() - min(coalesce(processing_at, updated_at)))::float8 as oldest
    from payouts where status = 'processing' group by 1`;
}

/**
 * Deposit, payout and M-Pesa collection events of the last 24 hours, by type. domain_events has
 * no index on created_at alone (each one slows every event insert): the few distinct types are
 * walked on the (type, created_at) index, then each one's last 24 h.
 */
export function moneyEventsLast24h(db: Db): Promise<Array<{ type: string; count: number }>> {
  return db.$queryRaw<Array<{ type: string; count: number }>>`
    with recursive types as (
      select min(type) as type from domain_events
      union all
      select (select min(e.type) from domain_events e where e.type > types.type)
      from types where types.type is not null
    )
    select t.type, c.count
    from types t
    cross join lateral (
      select count(*)::int as count from domain_events e
      where e.type = t.type and e.created_at > now() - interval '24 hours'
    ) c
    where (t.type like 'deposit.%' or t.type like 'payout.%' or t.type like 'mpesa.%') and c.count > 0`;
}
