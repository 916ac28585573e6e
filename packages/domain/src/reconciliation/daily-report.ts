import type { Db } from "@agrinet/db";
import { dailyReport } from "@agrinet/stores/reconciliation";
import type { ReconciliationSource } from "./statement-types";

export type DailyReconciliationRow = {
  source: ReconciliationSource;
  day: string;
  currency: string;
  /** The statements' opening and closing balances for the day, when they print them. */
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
  /** The clearing account's balance at the day's end, provider side. */
  ledgerClosing: bigint;
  /**
   * The statement's closing balance less the ledger's, when the statement prints it: money the
   * provider holds that the ledger never recorded (an opening float), constant from day to day
   * while everything reconciles.
   */
  closingDifference: bigint | null;
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
      closingDifference: row.closing === null ? null : row.closing - row.ledgerClosing,
      unexplainedDifference: statementNet - row.ledgerNet,
    };
  });
}

const csvColumns = [
  "source", "day", "currency", "opening", "in", "out", "closing", "lines", "matched_lines", "matched_percent", "ledger_net", "unexplained_difference",
  "ledger_closing", "closing_difference",
] as const;

/** The report as CSV, amounts in minor units. */
export function dailyReportCsv(rows: readonly DailyReconciliationRow[]): string {
  const lines = rows.map((r) =>
    [r.source, r.day, r.currency, r.opening ?? "", r.moneyIn, r.moneyOut, r.closing ?? "", r.lines, r.matchedLines, r.matchedPercent, r.ledgerNet, r.unexplainedDifference,
     r.ledgerClosing, r.closingDifference ?? ""].join(","),
  );
  return `${[csvColumns.join(","), ...lines].join("\n")}\n`;
}
