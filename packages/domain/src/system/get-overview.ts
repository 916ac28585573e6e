import type { Db } from "@agrinet/db";

/** Where money sits, by the ledger's account kinds (see ledger/account-codes.ts). */
export const balanceBuckets = ["wallets", "escrow", "platform", "inFlight", "clearing"] as const;
export type BalanceBucket = (typeof balanceBuckets)[number];

export type CurrencyBalances = {
  currency: string;
  /** Posted balance per bucket, minor units as strings. */
  posted: Record<BalanceBucket, string>;
  /** Held (reserved by pending holds, e.g. queued payouts) per bucket. */
  held: Record<BalanceBucket, string>;
  /** Accounts with a balance row in this currency. */
  accounts: number;
};

export type CountAndAmount = { currency: string; count: number; amount: string };

export type VolumeDay = {
  /** UTC date, YYYY-MM-DD. */
  day: string;
  currency: string;
  depositsConfirmed: string;
  payoutsPaid: string;
};

/** One period's money in and out of one currency. */
export type PeriodFigures = {
  /** Confirmed deposits (gross volume in), minor units, and how many. */
  depositsConfirmed: string;
  depositsConfirmedCount: number;
  /** Paid payouts (volume out), minor units, and how many. */
  payoutsPaid: string;
  payoutsPaidCount: number;
  /** Payouts that failed for good in the period: with the paid ones, the success rate. */
  payoutsFailedCount: number;
};

export type Overview = {
  balances: CurrencyBalances[];
  pendingDeposits: CountAndAmount[];
  payouts: { queued: CountAndAmount[]; processing: CountAndAmount[]; failed: CountAndAmount[] };
  /** The last `volumeDays` UTC days, oldest first; days without movement are absent. */
  volume: { from: string; to: string; days: VolumeDay[] };
  /** The volume window against the same number of days just before it, per currency. */
  comparison: {
    current: { from: string; to: string };
    previous: { from: string; to: string };
    currencies: Array<{ currency: string; current: PeriodFigures; previous: PeriodFigures }>;
  };
  generatedAt: string;
};

export type GetOverviewOptions = {
  db: Db;
  now?: Date;
  /** Length of the volume window, today included. */
  volumeDays?: number;
};

const bucketOf: Record<string, BalanceBucket> = {
  user: "wallets",
  contract: "escrow",
  platform: "platform",
  payouts: "inFlight",
  external: "clearing",
};

function emptyBuckets(): Record<BalanceBucket, string> {
  return { wallets: "0", escrow: "0", platform: "0", inFlight: "0", clearing: "0" };
}

function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/**
 * The dashboard's overview. Every figure is an aggregate PostgreSQL computes over a bounded set
 * of rows: balances come from `ledger_balances` (one row per account, kept current with each
 * posting), never from summing postings, so the cost does not grow with the ledger's history;
 * pending deposits and open payouts use the status indexes; the volume window reads only its
 * own days.
 */
export async function getOverview(options: GetOverviewOptions): Promise<Overview> {
  const { db } = options;
  const now = options.now ?? new Date();
  const days = options.volumeDays ?? 30;
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - (days - 1)));
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
  const previousFrom = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - (2 * days - 1)));

  // Sums as text: sum(bigint) is numeric, and casting it back to bigint fails once a sum passes
  // int8 (rows from before AMOUNT_MAX), which would break the overview for every staff member.
  const [balanceRows, depositRows, payoutRows, depositVolume, payoutVolume] = await Promise.all([
    db.$queryRaw<Array<{ owner_type: string; currency: string; posted: string; held: string; accounts: bigint }>>`
      select a.owner_type, b.currency, sum(b.posted)::text as posted, sum(b.held)::text as held,
             count(*)::bigint as accounts
        from ledger_balances b
        join ledger_accounts a on a.id = b.account_id
       group by a.owner_type, b.currency`,
    db.$queryRaw<Array<{ currency: string; count: bigint; amount: string }>>`
      select currency, count(*)::bigint as count, sum(amount)::text as amount
        from deposits
       where status = 'pending'
       group by currency`,
    db.$queryRaw<Array<{ status: string; currency: string; count: bigint; amount: string }>>`
      select status, currency, count(*)::bigint as count, sum(amount)::text as amount
        from payouts
       where status in ('queued', 'processing', 'failed')
       group by status, currency`,
    // Two windows' worth of days: the chart's, and the one before it for the comparison.
    db.$queryRaw<Array<{ day: string; currency: string; count: bigint; amount: string }>>`
      select to_char(confirmed_at at time zone 'UTC', 'YYYY-MM-DD') as day, currency,
             count(*)::bigint as count, sum(amount)::text as amount
        from deposits
       where status = 'confirmed' and confirmed_at >= ${previousFrom} and confirmed_at < ${to}
       group by 1, 2`,
    db.$queryRaw<Array<{ day: string; currency: string; status: string; count: bigint; amount: string }>>`
      select to_char(coalesce(paid_at, failed_at) at time zone 'UTC', 'YYYY-MM-DD') as day, currency, status,
             count(*)::bigint as count, sum(amount)::text as amount
        from payouts
       where (status = 'paid' and paid_at >= ${previousFrom} and paid_at < ${to})
          or (status = 'failed' and failed_at >= ${previousFrom} and failed_at < ${to})
       group by 1, 2, 3`,
  ]);

  const balancesByCurrency = new Map<string, CurrencyBalances>();
  for (const row of balanceRows) {
    const bucket = bucketOf[row.owner_type];
    if (!bucket) continue;
    const currency = row.currency.trim();
    let entry = balancesByCurrency.get(currency);
    if (!entry) {
      entry = { currency, posted: emptyBuckets(), held: emptyBuckets(), accounts: 0 };
      balancesByCurrency.set(currency, entry);
    }
    entry.posted[bucket] = (BigInt(entry.posted[bucket]) + BigInt(row.posted)).toString();
    entry.held[bucket] = (BigInt(entry.held[bucket]) + BigInt(row.held)).toString();
    entry.accounts += Number(row.accounts);
  }

  const payouts: Overview["payouts"] = { queued: [], processing: [], failed: [] };
  for (const row of payoutRows) {
    const list = payouts[row.status as keyof Overview["payouts"]];
    list.push({ currency: row.currency.trim(), count: Number(row.count), amount: row.amount });
  }

  const volume = new Map<string, VolumeDay>();
  const volumeEntry = (day: string, currency: string) => {
    const key = `${day}|${currency.trim()}`;
    let entry = volume.get(key);
    if (!entry) {
      entry = { day, currency: currency.trim(), depositsConfirmed: "0", payoutsPaid: "0" };
      volume.set(key, entry);
    }
    return entry;
  };
  const fromDay = utcDay(from);
  const periods = new Map<string, { current: PeriodFigures; previous: PeriodFigures }>();
  const periodOf = (day: string, currency: string) => {
    const key = currency.trim();
    let entry = periods.get(key);
    if (!entry) {
      entry = { current: emptyPeriod(), previous: emptyPeriod() };
      periods.set(key, entry);
    }
    return day >= fromDay ? entry.current : entry.previous;
  };
  for (const row of depositVolume) {
    if (row.day >= fromDay) volumeEntry(row.day, row.currency).depositsConfirmed = row.amount;
    const period = periodOf(row.day, row.currency);
    period.depositsConfirmed = (BigInt(period.depositsConfirmed) + BigInt(row.amount)).toString();
    period.depositsConfirmedCount += Number(row.count);
  }
  for (const row of payoutVolume) {
    const period = periodOf(row.day, row.currency);
    if (row.status === "failed") {
      period.payoutsFailedCount += Number(row.count);
      continue;
    }
    if (row.day >= fromDay) volumeEntry(row.day, row.currency).payoutsPaid = row.amount;
    period.payoutsPaid = (BigInt(period.payoutsPaid) + BigInt(row.amount)).toString();
    period.payoutsPaidCount += Number(row.count);
  }

  const byCurrency = (a: { currency: string }, b: { currency: string }) => a.currency.localeCompare(b.currency);
  for (const list of Object.values(payouts)) list.sort(byCurrency);

  return {
    balances: [...balancesByCurrency.values()].sort(byCurrency),
    pendingDeposits: depositRows
      .map((row) => ({ currency: row.currency.trim(), count: Number(row.count), amount: row.amount }))
      .sort(byCurrency),
    payouts,
    volume: {
      from: utcDay(from),
      to: utcDay(new Date(to.getTime() - 1)),
      days: [...volume.values()].sort((a, b) => a.day.localeCompare(b.day) || byCurrency(a, b)),
    },
    comparison: {
      current: { from: fromDay, to: utcDay(new Date(to.getTime() - 1)) },
      previous: { from: utcDay(previousFrom), to: utcDay(new Date(from.getTime() - 1)) },
      currencies: [...periods].map(([currency, figures]) => ({ currency, ...figures })).sort(byCurrency),
    },
    generatedAt: now.toISOString(),
  };
}

function emptyPeriod(): PeriodFigures {
  return { depositsConfirmed: "0", depositsConfirmedCount: 0, payoutsPaid: "0", payoutsPaidCount: 0, payoutsFailedCount: 0 };
}
