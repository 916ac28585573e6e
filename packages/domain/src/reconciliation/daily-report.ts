import type { Db } from "@agrinet/db";
import { dailyReport, listBalanceComparisons, type BalanceComparison } from "@agrinet/stores/reconciliation";
import type { ReconciliationSource } from "./statement-types";

export type DailyReconciliationRow = {
  source: ReconciliationSource;
  day: string;
  currency: string;
  /** The day's recorded comparison's statement balances, when the statements print them. */
  opening: bigint | null;
  moneyIn: bigint;
  moneyOut: bigint;
  closing: bigint | null;
  lines: number;
  matchedLines: number;
  /** Matched lines per hundred lines; 100 on a day without lines. */
  matchedPercent: number;
  /** The provider side's net movement the ledger's clearing account shows for the day. */
  ledgerNet: bigint;
  /**
   * The clearing account's balance at the day's end, provider side: as recorded with the day's
   * comparison (at its statements' period end), else as the ledger says now.
   */
  ledgerClosing: bigint;
  /**
   * The statement's closing balance less the ledger's, when the statement prints it: money the
   * provider holds that the ledger never recorded (an opening float), constant from day to day
   * while everything reconciles. Recorded when statements are committed and by the scheduled
   * run, never recomputed here: a figure that came out differently later is a new version.
   */
  closingDifference: bigint | null;
  /** The recorded comparison's version (1, 2, … ; null: none recorded for the day) and when it was recorded. */
  comparisonVersion: number | null;
  comparisonRecordedAt: Date | null;
  /**
   * What neither side explains: the statement's net movement (closing - opening when both
   * are printed, else in - out) less the ledger's.
   */
  unexplainedDifference: bigint;
};

export async function getDailyReconciliationReport(options: {
  db: Db;
  source: ReconciliationSource;
  from: Date;
  to: Date;
}): Promise<DailyReconciliationRow[]> {
  const rows = await dailyReport(options.db, { source: options.source, from: options.from, to: options.to });
  return rows.map((row) => {
    const statementNet = row.opening !== null && row.closing !== null ? row.closing - row.opening : row.moneyIn - row.moneyOut;
    return {
      source: options.source,
      day: row.day,
      currency: row.currency,
      opening: row.opening,
      moneyIn: row.moneyIn,
      moneyOut: row.moneyOut,
      closing: row.closing,
      lines: row.lines,
      matchedLines: row.matchedLines,
      matchedPercent: row.lines === 0 ? 100 : Math.floor((row.matchedLines * 10_000) / row.lines) / 100,
      ledgerNet: row.ledgerNet,
      ledgerClosing: row.ledgerClosing,
      closingDifference: row.closingDifference,
      comparisonVersion: row.comparisonVersion,
      comparisonRecordedAt: row.comparisonRecordedAt,
      unexplainedDifference: statementNet - row.ledgerNet,
    };
  });
}

const csvColumns = [
  "source", "day", "currency", "opening", "in", "out", "closing", "lines", "matched_lines", "matched_percent", "ledger_net", "unexplained_difference",
  "ledger_closing", "closing_difference", "comparison_version", "comparison_recorded_at",
] as const;

/** The report as CSV, amounts in minor units. */
export function dailyReportCsv(rows: readonly DailyReconciliationRow[]): string {
  const lines = rows.map((r) =>
    [r.source, r.day, r.currency, r.opening ?? "", r.moneyIn, r.moneyOut, r.closing ?? "", r.lines, r.matchedLines, r.matchedPercent, r.ledgerNet, r.unexplainedDifference,
     r.ledgerClosing, r.closingDifference ?? "", r.comparisonVersion ?? "", r.comparisonRecordedAt?.toISOString() ?? ""].join(","),
  );
  return `${[csvColumns.join(","), ...lines].join("\n")}\n`;
}

/**
 * Every recorded version of a rail's daily closing comparisons for the days in [fromDay, toDay]
 * (YYYY-MM-DD, East Africa Time), oldest version first: how and when a day's figure changed.
 */
export async function getBalanceComparisonHistory(options: {
  db: Db;
  source: ReconciliationSource;
  fromDay: string;
  toDay: string;
}): Promise<BalanceComparison[]> {
  return listBalanceComparisons(options.db, { source: options.source, fromDay: options.fromDay, toDay: options.toDay, latestOnly: false });
}
