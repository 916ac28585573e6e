import { csvCell, DomainError, formatMinorUnits, isSupportedCurrency } from "@agrinet/core";
import type { Db } from "@agrinet/db";
import { readSettlementTotals } from "@agrinet/stores/settlements";

export const settlementMetrics = [
  "depositsConfirmed",
  "payoutsPaid",
  "payoutsFailed",
  "escrowFunded",
  "escrowReleased",
  "escrowRefunded",
] as const;
export type SettlementMetric = (typeof settlementMetrics)[number];

const metricEventType: Record<SettlementMetric, string> = {
  depositsConfirmed: "deposit.confirmed",
  payoutsPaid: "payout.paid",
  payoutsFailed: "payout.failed",
  escrowFunded: "escrow.funded",
  escrowReleased: "escrow.released",
  escrowRefunded: "escrow.refunded",
};

export type SettlementGroupBy = "producer" | "day";

export type SettlementAmount = { count: number; amount: string; formatted: string };

export type SettlementRow = {
  currency: string;
  /** With groupBy producer: the user the money belongs to. */
  producerId?: string | null;
  /** With groupBy day: UTC date. */
  day?: string;
} & Record<SettlementMetric, SettlementAmount> & {
    /** Confirmed deposits less paid payouts, from the beginning to the end of the row's period. */
    closingHeld: SettlementAmount;
    /** Escrow funded less released and refunded, likewise. */
    closingEscrow: SettlementAmount;
  };

export type SettlementSummary = {
  from: string;
  to: string;
  groupBy: SettlementGroupBy[];
  /** Where the numbers come from; the ledger will replace the outbox as the source. */
  source: "domain_events";
  rows: SettlementRow[];
};

function amount(currency: string, minor: bigint, count: number): SettlementAmount {
  return {
    count,
    amount: minor.toString(),
    formatted: isSupportedCurrency(currency) ? formatMinorUnits(minor, currency) : minor.toString(),
  };
}

/**
 * Settlement totals for [from, to), per currency and optionally per producer and per UTC day,
 * computed from the outbox events' payloads ({ amount, currency, userId | producerId }). Closing
 * balances accumulate everything before the row's end, so a day row closes that day.
 */
export async function getSettlementSummary(options: {
  db: Db;
  from: Date;
  to: Date;
  groupBy?: SettlementGroupBy[];
  currency?: string;
}): Promise<SettlementSummary> {
  const groupBy = [...new Set(options.groupBy ?? [])];
  if (!(options.from < options.to)) {
    throw new DomainError("VALIDATION_FAILED", "to: must be after from", {
      fields: [{ path: "to", message: "must be after from" }],
    });
  }
  const byProducer = groupBy.includes("producer");
  const byDay = groupBy.includes("day");
  const rows = await readSettlementTotals(options.db, {
    from: options.from,
    to: options.to,
    eventTypes: settlementMetrics.map((metric) => metricEventType[metric]),
    byProducer,
    byDay,
    currency: options.currency ?? null,
  });
  return {
    from: options.from.toISOString(),
    to: options.to.toISOString(),
    groupBy,
    source: "domain_events",
    rows: rows.map((row) => {
      const result = {
        currency: row.currency,
        ...(byProducer ? { producerId: row.producerId } : {}),
        ...(byDay ? { day: row.day! } : {}),
      } as SettlementRow;
      settlementMetrics.forEach((metric, index) => {
        result[metric] = amount(row.currency, row.amounts[index]!, row.counts[index]!);
      });
      result.closingHeld = amount(row.currency, row.closingHeld, 0);
      result.closingEscrow = amount(row.currency, row.closingEscrow, 0);
      return result;
    }),
  };
}

/** CSV columns, in order; amounts in minor units plus a formatted column each. */
export function settlementCsvHeader(groupBy: SettlementGroupBy[]): string[] {
  return [
    "currency",
    ...(groupBy.includes("producer") ? ["producer_id"] : []),
    ...(groupBy.includes("day") ? ["day"] : []),
    ...[...settlementMetrics, "closingHeld", "closingEscrow"].flatMap((m) => {
      const snake = m.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
      return m.startsWith("closing")
        ? [`${snake}_minor`, `${snake}_formatted`]
        : [`${snake}_count`, `${snake}_minor`, `${snake}_formatted`];
    }),
  ];
}


/** CSV lines (each ending in \r\n), header first, yielded one at a time for streaming. */
export function* settlementCsvLines(summary: SettlementSummary): Generator<string> {
  yield `${settlementCsvHeader(summary.groupBy).join(",")}\r\n`;
  for (const row of summary.rows) {
    const fields: Array<string | number | null | undefined> = [row.currency];
    if (summary.groupBy.includes("producer")) fields.push(row.producerId);
    if (summary.groupBy.includes("day")) fields.push(row.day);
    for (const metric of settlementMetrics) {
      fields.push(row[metric].count, row[metric].amount, row[metric].formatted);
    }
    fields.push(row.closingHeld.amount, row.closingHeld.formatted);
    fields.push(row.closingEscrow.amount, row.closingEscrow.formatted);
    yield `${fields.map(csvCell).join(",")}\r\n`;
  }
}
