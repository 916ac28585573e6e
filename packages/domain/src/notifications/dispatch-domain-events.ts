import { inPgTransaction, type Db } from "@agrinet/db";
import { addWebhookDeliveryJobs } from "@agrinet/job-queue";

/** The outbox consumer name whose cursor the notification dispatcher advances. */
export const notificationDispatcherConsumer = "notifications";

/** Channel the dispatcher notifies (on commit) after writing notifications; the API hubs listen. */
export const notificationsChannel = "notifications";

/** Network errors, 408, 429 and 5xx are retried this many times in all, with backoff. */
export const webhookMaxAttempts = 12;

export type DispatchResult = { events: number; notifications: number; webhookDeliveries: number };

/**
 * Turns the next batch of outbox events into notifications (each user concerned, and the shared
 * staff audience) and webhook deliveries (partner endpoints subscribed to a user concerned), in
 * one transaction with the cursor move.
 *
 * Why it is safe:
 * - The cursor row is locked for the whole batch, so concurrent dispatchers run one after the
 *   other; the unique (event, recipient) constraints make a replayed batch a no-op anyway.
 * - BIGSERIAL ids can commit out of order, so the outbox is read in (transaction id, id) order and
 *   only below the oldest transaction still running: everything there has either committed (and
 *   is visible) or rolled back, and every later writer gets a larger transaction id.
 * - Because inserts happen under the cursor lock, notification ids commit in increasing order:
 *   streams may follow them with a plain `id > last` cursor.
 */
export async function dispatchDomainEvents(options: {
  db: Db;
  batchSize?: number;
}): Promise<DispatchResult> {
  const batchSize = options.batchSize ?? 500;
  const consumer = notificationDispatcherConsumer;
  // Plain SQL on a pool connection: this runs for every burst of events in the system, and
  // through Prisma its seven statements cost the worker more CPU than everything else it does.
  // The cursor statements and the outbox read are named: each connection parses them once and
  // PostgreSQL stops planning them for every dispatch (under `pnpm bench:payouts` parse and bind
  // were half their CPU). The two inserts stay unnamed: planned for each batch's events, they ran
  // faster than with the generic plan (the webhook candidates took twice as long).
  // A second dispatcher simply waits on the cursor row's lock.
  return inPgTransaction(options.db, async (client) => {
    await client.query({
      name: "outbox-cursor-ensure",
      text: "insert into outbox_cursors (consumer) values ($1) on conflict do nothing",
      values: [consumer],
    });
    const { rows: [cursor] } = await client.query<{ transaction_id: string; event_id: string }>({
      name: "outbox-cursor-lock",
      text: `select transaction_id::text as transaction_id, event_id::text as event_id
       from outbox_cursors where consumer = $1 for update`,
      values: [consumer],
    });
    // Ordered by the table's columns (e.*): a bare `order by transaction_id, id` would name the
    // text outputs and sort "1000" before "999", moving the cursor past events never taken.
    const { rows: events } = await client.query<{ id: string; transaction_id: string }>({
      name: "outbox-events-next",
      text: `select e.id::text as id, e.transaction_id::text as transaction_id
       from domain_events e
       where (e.transaction_id, e.id) > ($1::xid8, $2::bigint)
         and e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
       order by e.transaction_id, e.id
       limit $3`,
      values: [cursor!.transaction_id, cursor!.event_id, batchSize],
    });
    if (events.length === 0) return { events: 0, notifications: 0, webhookDeliveries: 0 };
    const ids = events.map((e) => e.id);

    // Only the count and the newest id come back, not a row per notification (hundreds per batch
    // under load) for the worker to parse; and whether any webhook endpoint is active: without
    // one, the webhook candidates' statement is not sent (its planning alone cost PostgreSQL more
    // than all its execution under `pnpm bench:payouts`, ~13 µs per payout, to find nothing).
    const { rows: [inserted] } = await client.query<{ count: number; max_id: string | null; webhooks: boolean }>(
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
       select count(*)::int as count, max(id)::text as max_id,
              exists (select 1 from webhook_endpoints w where w.active) as webhooks
       from inserted`,
      [ids],
    );

    const { rows: deliveries } = !inserted!.webhooks ? { rows: [] } : await client.query<{ id: string }>(
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
      [ids],
    );
    await addWebhookDeliveryJobs(client, { deliveryIds: deliveries.map((d) => d.id), maxAttempts: webhookMaxAttempts });

    const last = events[events.length - 1]!;
    await client.query({
      name: "outbox-cursor-advance",
      text: `update outbox_cursors
       set transaction_id = $1::xid8, event_id = $2::bigint, updated_at = now()
       where consumer = $3`,
      values: [last.transaction_id, last.id, consumer],
    });
    if (inserted!.max_id !== null) {
      await client.query({
        name: "outbox-notifications-notify",
        text: "select pg_notify($1, $2)",
        values: [notificationsChannel, inserted!.max_id],
      });
    }
    return {
      events: events.length,
      notifications: inserted!.count,
      webhookDeliveries: deliveries.length,
    };
  });
}

/** Dispatches until the outbox holds nothing more that is safe to read. */
export async function dispatchAllDomainEvents(options: {
  db: Db;
  batchSize?: number;
}): Promise<DispatchResult> {
  const total: DispatchResult = { events: 0, notifications: 0, webhookDeliveries: 0 };
  for (;;) {
    const batch = await dispatchDomainEvents(options);
    total.events += batch.events;
    total.notifications += batch.notifications;
    total.webhookDeliveries += batch.webhookDeliveries;
    if (batch.events < (options.batchSize ?? 500)) return total;
  }
}

/**
 * Dispatches until the given event has been turned into notifications (every event has at least
 * the staff one). The outbox only advances past the oldest running transaction in the whole
 * PostgreSQL cluster, so a long transaction anywhere makes this wait: seeds and tests use it.
 */
export async function dispatchDomainEventsThrough(options: {
  db: Db;
  eventId: bigint;
  timeoutMs?: number;
}): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    await dispatchAllDomainEvents({ db: options.db });
    const done = await options.db.notification.findFirst({
      where: { eventId: options.eventId },
      select: { id: true },
    });
    if (done) return;
    if (Date.now() > deadline) {
      throw new Error(`event ${options.eventId} was not dispatched in time (a long transaction is open?)`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
