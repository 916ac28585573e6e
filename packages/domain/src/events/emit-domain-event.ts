import type { Queryable, TxClient } from "@agrinet/db";
import { insertDomainEvents, notifyOutbox, type OutboxEventRow } from "@agrinet/stores/outbox";

export type DomainEventInput = {
  type: string;
  aggregateType: "deposit" | "payout" | "contract" | "rating" | "dispute" | "ledger" | "mpesa_payment";
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
export async function emitDomainEvent(tx: TxClient, event: DomainEventInput): Promise<bigint> {
  const [id] = await emitDomainEvents(tx, [event]);
  return id!;
}

/**
 * Records events in the outbox in one statement with one NOTIFY (ids in the events' order):
 * events are written on every hot path, each round trip through Prisma costs milliseconds of
 * CPU, and a batch of confirmations needs no more than one wake-up.
 */
export async function emitDomainEvents(tx: TxClient, events: DomainEventInput[]): Promise<bigint[]> {
  if (events.length === 0) return [];
  return insertDomainEvents(tx, events.map(outboxEventRow));
}

/** The event as the outbox's statements write it, for a store that writes events beside its own rows. */
export function outboxEventRow(event: DomainEventInput): OutboxEventRow {
  return {
    type: event.type,
    aggregateType: event.aggregateType,
    aggregateId: event.aggregateId,
    userIds: event.userIds,
    payloadJson: serializeEventPayload(event.payload),
  };
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
    notifyOutbox(pool).catch(() => {});
  }, wakeDelayMs).unref();
}
