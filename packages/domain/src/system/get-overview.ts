import type { Db } from "@agrinet/db";
import { readOverviewFigures } from "@agrinet/stores/system";

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

  // Two windows' worth of days: the chart's, and the one before it for the comparison.
  const figures = await readOverviewFigures(db, { from: previousFrom, to });
  const { balances: balanceRows, pendingDeposits: depositRows, openPayouts: payoutRows, depositVolume, payoutVolume } = figures;

  const balancesByCurrency = new Map<string, CurrencyBalances>();
  for (const row of balanceRows) {
    const bucket = bucketOf[row.ownerType];
    if (!bucket) continue;
    const currency = row.currency;
    let entry = balancesByCurrency.get(currency);
    if (!entry) {
      entry = { currency, posted: emptyBuckets(), held: emptyBuckets(), accounts: 0 };
      balancesByCurrency.set(currency, entry);
    }
    entry.posted[bucket] = (BigInt(entry.posted[bucket]) + BigInt(row.posted)).toString();
    entry.held[bucket] = (BigInt(entry.held[bucket]) + BigInt(row.held)).toString();
    entry.accounts += row.accounts;
  }

  const payouts: Overview["payouts"] = { queued: [], processing: [], failed: [] };
  for (const row of payoutRows) {
    const list = payouts[row.status as keyof Overview["payouts"]];
    list.push({ currency: row.currency, count: row.count, amount: row.amount });
  }

  const volume = new Map<string, VolumeDay>();
  const volumeEntry = (day: string, currency: string) => {
    const key = `${day}|${currency}`;
    let entry = volume.get(key);
    if (!entry) {
      entry = { day, currency, depositsConfirmed: "0", payoutsPaid: "0" };
      volume.set(key, entry);
    }
    return entry;
  };
  const fromDay = utcDay(from);
  const periods = new Map<string, { current: PeriodFigures; previous: PeriodFigures }>();
  const periodOf = (day: string, currency: string) => {
    let entry = periods.get(currency);
    if (!entry) {
      entry = { current: emptyPeriod(), previous: emptyPeriod() };
      periods.set(currency, entry);
    }
    return day >= fromDay ? entry.current : entry.previous;
  };
  for (const row of depositVolume) {
    if (row.day >= fromDay) volumeEntry(row.day, row.currency).depositsConfirmed = row.amount;
    const period = periodOf(row.day, row.currency);
    period.depositsConfirmed = (BigInt(period.depositsConfirmed) + BigInt(row.amount)).toString();
    period.depositsConfirmedCount += row.count;
  }
  for (const row of payoutVolume) {
    const period = periodOf(row.day, row.currency);
    if (row.status === "failed") {
      period.payoutsFailedCount += row.count;
      continue;
    }
    if (row.day >= fromDay) volumeEntry(row.day, row.currency).payoutsPaid = row.amount;
    period.payoutsPaid = (BigInt(period.payoutsPaid) + BigInt(row.amount)).toString();
    period.payoutsPaidCount += row.count;
  }

  const byCurrency = (a: { currency: string }, b: { currency: string }) => a.currency.localeCompare(b.currency);
  for (const list of Object.values(payouts)) list.sort(byCurrency);

  return {
    balances: [...balancesByCurrency.values()].sort(byCurrency),
    pendingDeposits: depositRows
      .map((row) => ({ currency: row.currency, count: row.count, amount: row.amount }))
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
