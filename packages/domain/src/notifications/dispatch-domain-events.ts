import { inPgTransaction, type Db } from "@agrinet/db";
import { addWebhookDeliveryJobs } from "@agrinet/job-queue";
import {
  advanceOutboxCursor,
  insertEventNotifications,
  insertWebhookDeliveries,
  lockOutboxCursor,
  notifyChannel,
  readNextOutboxEvents,
} from "@agrinet/stores/outbox";

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
  // One pg transaction on a pool connection (the outbox store's statements): this runs for every
  // burst of events in the system, and through Prisma its seven statements cost the worker more
  // CPU than everything else it does. A second dispatcher simply waits on the cursor row's lock.
  return inPgTransaction(options.db, async (client) => {
    const cursor = await lockOutboxCursor(client, consumer);
    const events = await readNextOutboxEvents(client, cursor, batchSize);
    if (events.length === 0) return { events: 0, notifications: 0, webhookDeliveries: 0 };
    const ids = events.map((e) => e.eventId);

    // Without an active webhook endpoint, the webhook candidates' statement is not sent (its
    // planning alone cost PostgreSQL more than all its execution under `pnpm bench:payouts`,
    // ~13 µs per payout, to find nothing).
    const inserted = await insertEventNotifications(client, ids);
    const deliveries = inserted.webhooksActive ? await insertWebhookDeliveries(client, ids) : [];
    await addWebhookDeliveryJobs(client, { deliveryIds: deliveries, maxAttempts: webhookMaxAttempts });

    await advanceOutboxCursor(client, consumer, events[events.length - 1]!);
    if (inserted.maxId !== null) await notifyChannel(client, notificationsChannel, inserted.maxId);
    return {
      events: events.length,
      notifications: inserted.count,
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
