import type { Tx } from "@agrinet/db";

export type DomainEventInput = {
  type: string;
  aggregateType: "deposit" | "payout" | "contract" | "rating" | "dispute" | "ledger";
  aggregateId: string;
  userIds: string[];
  payload: Record<string, unknown>;
};

/**
 * Records an event in the outbox inside the caller's transaction, and wakes listeners when
 * that transaction commits (NOTIFY is delivered only on commit).
 */
export async function emitDomainEvent(tx: Tx, event: DomainEventInput): Promise<bigint> {
  const payload = JSON.stringify(event.payload, (_key, value) =>
    typeof value === "bigint" ? value.toString() : value,
  );
  // One statement, not insert then notify: events are written on every hot path (payouts pass
  // here twice each), and each round trip through Prisma costs milliseconds of CPU.
  const rows = await tx.$queryRaw<Array<{ id: bigint }>>`
    with created as (
      insert into domain_events (type, aggregate_type, aggregate_id, user_ids, payload)
      values (${event.type}, ${event.aggregateType}, ${event.aggregateId}, ${event.userIds}::text[], ${payload}::jsonb)
      returning id
    )
    select created.id from created cross join lateral pg_notify('domain_events', created.id::text)`;
  return rows[0]!.id;
}
