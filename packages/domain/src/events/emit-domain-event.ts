import type { Queryable, Tx } from "@agrinet/db";

export type DomainEventInput = {
  type: string;
  aggregateType: "deposit" | "payout" | "contract" | "rating" | "dispute" | "ledger";
  aggregateId: string;
  userIds: string[];
  payload: Record<string, unknown>;
};

/** The payload as the outbox stores it: amounts (bigint) as strings. */
export function serializeEventPayload(payload: Record<string, unknown>): string {
  return JSON.stringify(payload, (_key, value) => (typeof value === "bigint" ? value.toString() : value));
}

/**
 * Records an event in the outbox inside the caller's transaction, and wakes listeners when
 * that transaction commits (NOTIFY is delivered only on commit).
 */
export async function emitDomainEvent(tx: Tx, event: DomainEventInput): Promise<bigint> {
  const payload = serializeEventPayload(event.payload);
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

/** How long wake-ups are gathered into one NOTIFY. */
const wakeDelayMs = 5;
const wakePending = new WeakSet<Queryable>();

/**
 * Wakes the outbox dispatcher after a commit made by a statement that inserted events without
 * NOTIFY. PostgreSQL serialises the commits of transactions that NOTIFY (one lock held across
 * the WAL flush), which capped a NOTIFY-per-request path at one commit per disk flush; one
 * NOTIFY per few milliseconds from its own statement costs nothing of the sort. A lost wake-up
 * (crash, connection error) only delays dispatch until the dispatcher's next poll.
 */
export function wakeOutboxDispatcher(pool: Queryable): void {
  if (wakePending.has(pool)) return;
  wakePending.add(pool);
  setTimeout(() => {
    // Cleared before sending: a commit after this point asks for a wake-up of its own.
    wakePending.delete(pool);
    pool.query("select pg_notify('domain_events', '')").catch(() => {});
  }, wakeDelayMs).unref();
}
