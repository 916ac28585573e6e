import { csvCell, DomainError, formatMinorUnits, isSupportedCurrency } from "@agrinet/core";
import { Prisma, type Db } from "@agrinet/db";

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
  const types = Object.values(metricEventType);
  const rows = await options.db.$queryRaw<Array<Record<string, string | null>>>`
    with events as (
      select e.type,
             e.payload->>'currency' as currency,
             case when ${byProducer}::boolean
                  then coalesce(e.payload->>'producerId', e.payload->>'userId') end as producer_id,
             case when ${byDay}::boolean
                  then (e.created_at at time zone 'UTC')::date end as day,
             (e.payload->>'amount')::numeric as amount,
             e.created_at >= ${options.from} as in_period
      from domain_events e
      where e.type = any(${types}::text[])
        and e.created_at < ${options.to}
        and e.payload->>'amount' ~ '^-?[0-9]{1,19}$'
        and e.payload ? 'currency'
        and (${options.currency ?? null}::text is null or e.payload->>'currency' = ${options.currency ?? null}::text)
    ), grouped as (
      select currency, producer_id, day,
        ${sumsSql()}
        sum(case type when 'deposit.confirmed' then amount when 'payout.paid' then -amount else 0 end) as held_delta,
        sum(case when type = 'escrow.funded' then amount
                 when type in ('escrow.released', 'escrow.refunded') then -amount else 0 end) as escrow_delta,
        bool_or(in_period) as any_in_period
      from events group by currency, producer_id, day
    ), closing as (
      select *,
        sum(held_delta) over w as closing_held,
        sum(escrow_delta) over w as closing_escrow
      from grouped
      window w as (partition by currency, producer_id order by day nulls first
                   rows between unbounded preceding and current row)
    )
    select currency, producer_id, day::text as day,
      ${selectSql()}
      closing_held::text as closing_held, closing_escrow::text as closing_escrow
    from closing
    where not ${byDay}::boolean or any_in_period
    order by currency, producer_id nulls first, day`;
  return {
    from: options.from.toISOString(),
    to: options.to.toISOString(),
    groupBy,
    source: "domain_events",
    rows: rows.map((row) => {
      const currency = row.currency!;
      const result = {
        currency,
        ...(byProducer ? { producerId: row.producer_id } : {}),
        ...(byDay ? { day: row.day! } : {}),
      } as SettlementRow;
      for (const metric of settlementMetrics) {
        result[metric] = amount(currency, BigInt(row[`${metric}_amount`]!), Number(row[`${metric}_count`]));
      }
      result.closingHeld = amount(currency, BigInt(row.closing_held!), 0);
      result.closingEscrow = amount(currency, BigInt(row.closing_escrow!), 0);
      return result;
    }),
  };
}

// Built from the fixed metric table above, never from input: safe to splice into the query.
function sumsSql() {
  return Prisma.raw(
    settlementMetrics
      .map(
        (m) =>
          `coalesce(sum(amount) filter (where in_period and type = '${metricEventType[m]}'), 0) as "${m}_amount",
           count(*) filter (where in_period and type = '${metricEventType[m]}') as "${m}_count",`,
      )
      .join("\n"),
  );
}
function selectSql() {
  return Prisma.raw(
    settlementMetrics.map((m) => `"${m}_amount"::text as "${m}_amount", "${m}_count"::int as "${m}_count",`).join("\n"),
  );
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
