import { Prisma, type Db } from "@agrinet/db";

/*
 * Settlement totals, from the outbox events' payloads ({ amount, currency, userId | producerId }):
 * the events are the record of what settled (domain_events keeps (type, created_at) for this).
 */

export type SettlementTotalsRow = {
  currency: string;
  /** With byProducer: the user the money belongs to. */
  producerId: string | null;
  /** With byDay: the UTC date. */
  day: string | null;
  /** Per requested event type, in order: the period's total (minor units) and how many. */
  amounts: bigint[];
  counts: number[];
  /** Confirmed deposits less paid payouts, from the beginning to the end of the row's period. */
  closingHeld: bigint;
  /** Escrow funded less released and refunded, likewise. */
  closingEscrow: bigint;
};

/**
 * Totals for [from, to) per currency (and producer, and UTC day), one amount and count per type
 * of `eventTypes`. Closing balances accumulate everything before the row's end, so a day row
 * closes that day; with byDay, days without an event in the period are left out.
 */
export async function readSettlementTotals(
  db: Db,
  query: { from: Date; to: Date; eventTypes: string[]; byProducer: boolean; byDay: boolean; currency: string | null },
): Promise<SettlementTotalsRow[]> {
  const { byProducer, byDay, eventTypes } = query;
  const rows = await db.$queryRaw<Array<Record<string, string | null> & { amounts: string[]; counts: number[] }>>`
    with events as (
      select e.type,
             e.payload->>'currency' as currency,
             case when ${byProducer}::boolean
                  then coalesce(e.payload->>'producerId', e.payload->>'userId') end as producer_id,
             case when ${byDay}::boolean
                  then (e.created_at at time zone 'UTC')::date end as day,
             (e.payload->>'amount')::numeric as amount,
             e.created_at >= ${query.from} as in_period
      from domain_events e
      where e.type = any(${eventTypes}::text[])
        and e.created_at < ${query.to}
        and e.payload->>'amount' ~ '^-?[0-9]{1,19}$'
        and e.payload ? 'currency'
        and (${query.currency}::text is null or e.payload->>'currency' = ${query.currency}::text)
    ), grouped as (
      select currency, producer_id, day,
        array[${Prisma.join(eventTypes.map((type) => Prisma.sql`coalesce(sum(amount) filter (where in_period and type = ${type}), 0)`))}] as amounts,
        array[${Prisma.join(eventTypes.map((type) => Prisma.sql`count(*) filter (where in_period and type = ${type})`))}] as counts,
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
    select currency, producer_id, day::text as day, amounts::text[] as amounts, counts::int[] as counts,
      closing_held::text as closing_held, closing_escrow::text as closing_escrow
    from closing
    where not ${byDay}::boolean or any_in_period
    order by currency, producer_id nulls first, day`;
  return rows.map((row) => ({
    currency: row.currency!,
    producerId: row.producer_id ?? null,
    day: row.day ?? null,
    amounts: row.amounts.map(BigInt),
    counts: row.counts,
    closingHeld: BigInt(row.closing_held!),
    closingEscrow: BigInt(row.closing_escrow!),
  }));
}
