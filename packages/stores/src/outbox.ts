import type { Queryable, TxClient } from "@agrinet/db";
import { txRows, type SqlClient } from "./sql-client";

/*
 * The outbox (domain_events) and its consumers' cursors: writing events, waking the dispatcher,
 * and the dispatcher's statements (cursor, next events, notifications, webhook deliveries).
 */

/** The channel a statement that writes events notifies, and the dispatcher listens on. */
export const domainEventsChannel = "domain_events";

export type OutboxEventRow = {
  type: string;
  aggregateType: string;
  aggregateId: string;
  userIds: string[];
  /** The payload as stored, JSON text (amounts already strings). */
  payloadJson: string;
};

/** The events as the JSON array `insertEventsSql` reads: the payloads spliced in, not parsed and serialised again. */
export function outboxEventsJson(events: OutboxEventRow[]): string {
  return `[${events
    .map(
      (event) =>
        `{"type":${JSON.stringify(event.type)},"aggregateType":${JSON.stringify(event.aggregateType)},` +
        `"aggregateId":${JSON.stringify(event.aggregateId)},"userIds":${JSON.stringify(event.userIds)},"payload":${event.payloadJson}}`,
    )
    .join(",")}]`;
}

/**
 * The statements that write events: `created` inserts those of the JSON array parameter
 * `param` (`outboxEventsJson`) in order, returning their ids, and `woken` sends their NOTIFY
 * (delivered when the transaction commits) when it is read.
 */
export function insertEventsSql(param: string): string {
  return `created_events as (
      insert into domain_events (type, aggregate_type, aggregate_id, user_ids, payload)
      select v.type, v."aggregateType", v."aggregateId", v."userIds", v.payload
      from jsonb_array_elements(${param}::jsonb) with ordinality as e(value, n)
      cross join lateral jsonb_to_record(e.value)
        as v(type text, "aggregateType" text, "aggregateId" text, "userIds" text[], payload jsonb)
      order by e.n
      returning id
    ), woken as (
      select pg_notify('${domainEventsChannel}', max(id)::text) from created_events
    )`;
}

/**
 * Inserts events in one statement with one NOTIFY (delivered when the caller's transaction
 * commits); their ids, in the events' order.
 */
export async function insertDomainEvents(tx: SqlClient | TxClient, events: OutboxEventRow[]): Promise<bigint[]> {
  const created = await txRows<{ id: string | bigint }>(tx, {
    name: "domain-events-insert",
    text: `with ${insertEventsSql("$1")}
    select created_events.id from created_events, woken order by created_events.id`,
    values: [outboxEventsJson(events)],
  });
  return created.map((row) => BigInt(row.id));
}

/** One NOTIFY on the outbox channel, in its own statement (after a commit that wrote events without one). */
export async function notifyOutbox(pool: Queryable): Promise<void> {
  await pool.query("select pg_notify('domain_events', '')");
}

/** A place in the outbox: events are read in (transaction id, id) order. */
export type OutboxPosition = { transactionId: string; eventId: string };

/** The consumer's cursor, created at the start if new, locked until the transaction ends. */
export async function lockOutboxCursor(client: Queryable, consumer: string): Promise<OutboxPosition> {
  await client.query({
    name: "outbox-cursor-ensure",
    text: "insert into outbox_cursors (consumer) values ($1) on conflict do nothing",
    values: [consumer],
  });
  const { rows: [cursor] } = await client.query<OutboxPosition>({
    name: "outbox-cursor-lock",
    text: `select transaction_id::text as "transactionId", event_id::text as "eventId"
       from outbox_cursors where consumer = $1 for update`,
    values: [consumer],
  });
  return cursor!;
}

/**
 * The next `limit` events after `after`, only below the oldest transaction still running:
 * everything there has committed (and is visible) or rolled back, and every later writer gets a
 * larger transaction id, so an event whose id was taken before a later one committed is never
 * skipped.
 */
export async function readNextOutboxEvents(client: Queryable, after: OutboxPosition, limit: number): Promise<OutboxPosition[]> {
  // Ordered by the table's columns (e.*): a bare `order by transaction_id, id` would name the
  // text outputs and sort "1000" before "999", moving the cursor past events never taken.
  const { rows } = await client.query<OutboxPosition>({
    name: "outbox-events-next",
    text: `select e.id::text as "eventId", e.transaction_id::text as "transactionId"
       from domain_events e
       where (e.transaction_id, e.id) > ($1::xid8, $2::bigint)
         and e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
       order by e.transaction_id, e.id
       limit $3`,
    values: [after.transactionId, after.eventId, limit],
  });
  return rows;
}

/** Moves the consumer's cursor (locked by lockOutboxCursor) to `position`. */
export async function advanceOutboxCursor(client: Queryable, consumer: string, position: OutboxPosition): Promise<void> {
  await client.query({
    name: "outbox-cursor-advance",
    text: `update outbox_cursors
       set transaction_id = $1::xid8, event_id = $2::bigint, updated_at = now()
       where consumer = $3`,
    values: [position.transactionId, position.eventId, consumer],
  });
}

/**
 * One notification per event for each user it concerns and one for staff (a replayed event adds
 * none). Only the count and the newest id come back, not a row per notification (hundreds per
 * batch under load) for the worker to parse; and whether any webhook endpoint is active.
 * Unnamed: planned for each batch's events, it ran faster than with the generic plan.
 */
export async function insertEventNotifications(
  client: Queryable,
  eventIds: string[],
): Promise<{ count: number; maxId: string | null; webhooksActive: boolean }> {
  const { rows: [inserted] } = await client.query<{ count: number; maxId: string | null; webhooksActive: boolean }>(
    `with inserted as (
     insert into notifications (event_id, audience, recipient_id, type, payload)
     select e.id, r.audience::notification_audience, r.recipient_id, e.type,
            jsonb_build_object('aggregateType', e.aggregate_type,
                               'aggregateId', e.aggregate_id,
                               'occurredAt', e.created_at,
                               'data', e.payload)
     from domain_events e
     join unnest($1::bigint[]) with ordinality as batch(id, position) on batch.id = e.id
     cross join lateral (
       select 'user' as audience, u.user_id as recipient_id, u.n as n
       from unnest(e.user_ids) with ordinality as u(user_id, n)
       union all
       select 'staff', 'staff', 0
     ) r
     order by batch.position, r.n
     on conflict (event_id, audience, recipient_id) do nothing
     returning id
     )
     select count(*)::int as count, max(id)::text as "maxId",
            exists (select 1 from webhook_endpoints w where w.active) as "webhooksActive"
     from inserted`,
    [eventIds],
  );
  return inserted!;
}

/**
 * A delivery per event for each active partner endpoint subscribed to a user it concerns and to
 * its type (exact, `prefix.*`, or every type); ids of those created (a replayed event adds none).
 * Unnamed, as insertEventNotifications (the webhook candidates took twice as long generic).
 */
export async function insertWebhookDeliveries(client: Queryable, eventIds: string[]): Promise<string[]> {
  const { rows } = await client.query<{ id: string }>(
    `with candidates as (
       select distinct w.id as endpoint_id, e.id as event_id, batch.position
       from domain_events e
       join unnest($1::bigint[]) with ordinality as batch(id, position) on batch.id = e.id
       join partner_user_subscriptions s on s.user_id = any(e.user_ids)
       join webhook_endpoints w on w.partner_key_id = s.partner_key_id and w.active
       where cardinality(w.event_types) = 0
          or exists (
            select 1 from unnest(w.event_types) t(pattern)
            where t.pattern = e.type
               or (t.pattern like '%.*' and e.type like left(t.pattern, -1) || '%')
          )
     ), created as (
       insert into webhook_deliveries (endpoint_id, event_id)
       select endpoint_id, event_id from candidates order by position
       on conflict (endpoint_id, event_id) do nothing
       returning id
     )
     select id::text as id from created`,
    [eventIds],
  );
  return rows.map((row) => row.id);
}

/** NOTIFY `channel` with `payload`, delivered when the transaction commits. */
export async function notifyChannel(client: Queryable, channel: string, payload: string): Promise<void> {
  await client.query({ name: "outbox-notifications-notify", text: "select pg_notify($1, $2)", values: [channel, payload] });
}

/** The newest notification's id (0 when none): where a live stream with no reader starts. */
export async function newestNotificationId(client: Queryable): Promise<bigint> {
  const { rows } = await client.query<{ newest: string | null }>("select max(id)::text as newest from notifications");
  return BigInt(rows[0]?.newest ?? 0);
}
