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
  const created = await tx.domainEvent.create({
    data: {
      type: event.type,
      aggregateType: event.aggregateType,
      aggregateId: event.aggregateId,
      userIds: event.userIds,
      payload: JSON.parse(
        JSON.stringify(event.payload, (_key, value) =>
          typeof value === "bigint" ? value.toString() : value,
        ),
      ),
    },
    select: { id: true },
  });
  await tx.$executeRaw`select pg_notify('domain_events', ${created.id.toString()})`;
  return created.id;
}
