import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { jobTasks, webhookDeliveryJobKey } from "@agrinet/job-queue";
import { listJobs } from "@agrinet/job-queue/testing";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, expect, test } from "vitest";
import { emitDomainEvent, type DomainEventInput } from "../events/emit-domain-event";
import { disableWebhookEndpoint, registerWebhookEndpoint, subscribePartnerToUser } from "../webhooks/webhook-endpoints";
import {
  dispatchAllDomainEvents,
  dispatchDomainEvents,
  dispatchDomainEventsThrough,
} from "./dispatch-domain-events";
import { listNotifications } from "./list-notifications";
import { markNotificationsRead } from "./mark-notifications-read";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
});

beforeEach(async () => {
  await dispatchAllDomainEvents({ db: database.db });
});

function payoutEvent(type: string, userId: string, payoutId = "p1"): DomainEventInput {
  return {
    type,
    aggregateType: "payout",
    aggregateId: payoutId,
    userIds: [userId],
    payload: { amount: 150_000n, currency: "KES", userId },
  };
}

const emit = (event: DomainEventInput) =>
  database.db.$transaction((tx) => emitDomainEvent(tx, event));

test("an event becomes one notification for each user concerned and one for staff", async () => {
  const eventId = await emit({
    ...payoutEvent("payout.paid", "user-a"),
    userIds: ["user-a", "user-b"],
  });
  await dispatchDomainEventsThrough({ db: database.db, eventId });
  const rows = await database.db.notification.findMany({ where: { eventId } });
  expect(rows.map((r) => `${r.audience}:${r.recipientId}`).sort()).toEqual([
    "staff:staff",
    "user:user-a",
    "user:user-b",
  ]);
  expect(rows[0]!.payload).toMatchObject({
    aggregateType: "payout",
    data: { amount: "150000", currency: "KES" },
  });
  // Running it again finds nothing new.
  expect((await dispatchDomainEvents({ db: database.db })).events).toBe(0);
});

test("an event whose transaction is still open holds the cursor back instead of being skipped", async () => {
  const slow = new pg.Client({ connectionString: database.url });
  await slow.connect();
  try {
    await slow.query("begin");
    // Takes its id and transaction id first, commits last.
    const { rows } = await slow.query(
      `insert into domain_events (type, aggregate_type, aggregate_id, user_ids, payload)
       values ('payout.queued', 'payout', 'slow', '{user-slow}', '{}') returning id`,
    );
    const slowId = BigInt(rows[0].id);
    const fastId = await emit(payoutEvent("payout.queued", "user-fast", "fast"));
    expect(fastId).toBeGreaterThan(slowId);

    await dispatchAllDomainEvents({ db: database.db });
    expect(await database.db.notification.count({ where: { eventId: fastId } })).toBe(0);

    await slow.query("commit");
    await dispatchDomainEventsThrough({ db: database.db, eventId: fastId });
    const recipients = await database.db.notification.findMany({
      where: { eventId: { in: [slowId, fastId] }, audience: "user" },
      orderBy: { id: "asc" },
    });
    expect(recipients.map((r) => r.recipientId)).toEqual(["user-slow", "user-fast"]);
  } finally {
    await slow.end();
  }
});

test("a rolled-back event is never delivered and does not block later ones", async () => {
  await database.db
    .$transaction(async (tx) => {
      await emitDomainEvent(tx, payoutEvent("payout.failed", "user-ghost"));
      throw new Error("roll back");
    })
    .catch(() => {});
  const later = await emit(payoutEvent("payout.paid", "user-real"));
  await dispatchDomainEventsThrough({ db: database.db, eventId: later });
  expect(await database.db.notification.count({ where: { recipientId: "user-ghost" } })).toBe(0);
  expect(await database.db.notification.count({ where: { eventId: later } })).toBe(2);
});

test("concurrent dispatchers, while events are still being written, deliver each once", async () => {
  const users = ["c1", "c2", "c3"];
  let writing = true;
  const writers = Promise.all(
    users.map(async (userId) => {
      for (let i = 0; i < 40; i++) await emit(payoutEvent("payout.processing", userId, `${userId}-${i}`));
    }),
  ).finally(() => (writing = false));
  const dispatcher = async () => {
    while (writing) await dispatchDomainEvents({ db: database.db, batchSize: 7 });
  };
  await Promise.all([writers, dispatcher(), dispatcher()]);
  const events = await database.db.domainEvent.findMany({
    where: { aggregateId: { startsWith: "c" }, type: "payout.processing" },
    select: { id: true },
  });
  expect(events).toHaveLength(120);
  // Outbox order is (transaction id, id), so the highest id need not be the last dispatched.
  await Promise.all([
    (async () => {
      for (const event of events) await dispatchDomainEventsThrough({ db: database.db, eventId: event.id });
    })(),
    dispatchAllDomainEvents({ db: database.db, batchSize: 7 }),
  ]);
  const notifications = await database.db.notification.groupBy({
    by: ["eventId"],
    where: { eventId: { in: events.map((e) => e.id) } },
    _count: { _all: true },
  });
  expect(notifications).toHaveLength(120);
  expect(notifications.every((n) => n._count._all === 2)).toBe(true);
});

test("list is newest first with a cursor and an unread filter; markRead touches only the owner's", async () => {
  const ids: bigint[] = [];
  for (let i = 0; i < 5; i++) ids.push(await emit(payoutEvent("payout.paid", "reader", `r${i}`)));
  const lastId = await emit(payoutEvent("payout.paid", "someone-else", "x"));
  await dispatchDomainEventsThrough({ db: database.db, eventId: lastId });
  const recipient = { audience: "user", recipientId: "reader" } as const;

  const first = await listNotifications({ db: database.db, recipient, limit: 3 });
  expect(first.items.map((n) => n.aggregateId)).toEqual(["r4", "r3", "r2"]);
  expect(first.unreadCount).toBe(5);
  const second = await listNotifications({ db: database.db, recipient, limit: 3, cursor: first.nextCursor! });
  expect(second.items.map((n) => n.aggregateId)).toEqual(["r1", "r0"]);
  expect(second.nextCursor).toBeNull();

  await markNotificationsRead({ db: database.db, recipient, ids: [first.items[0]!.id] });
  const unread = await listNotifications({ db: database.db, recipient, unread: true });
  expect(unread.items.map((n) => n.aggregateId)).toEqual(["r3", "r2", "r1", "r0"]);

  const foreign = await listNotifications({
    db: database.db,
    recipient: { audience: "user", recipientId: "someone-else" },
  });
  await expect(
    markNotificationsRead({ db: database.db, recipient, ids: [foreign.items[0]!.id] }),
  ).rejects.toMatchObject({ code: "NOT_FOUND" });
  expect((await markNotificationsRead({ db: database.db, recipient, upToId: first.items[0]!.id })).updated).toBe(4);
});

test("a partner subscribed to the user gets one queued delivery per matching endpoint", async () => {
  await subscribePartnerToUser({ db: database.db, partnerKeyId: "key-1", userId: "farmer" });
  const payouts = await registerWebhookEndpoint({
    db: database.db,
    partnerKeyId: "key-1",
    url: "http://127.0.0.1:9/hook",
    allowPrivateAddresses: true,
    eventTypes: ["payout.*"],
  });
  await registerWebhookEndpoint({
    db: database.db,
    partnerKeyId: "key-1",
    url: "http://127.0.0.1:9/deposits",
    allowPrivateAddresses: true,
    eventTypes: ["deposit.confirmed"],
  });
  await registerWebhookEndpoint({
    db: database.db,
    partnerKeyId: "key-unsubscribed",
    url: "http://127.0.0.1:9/other",
    allowPrivateAddresses: true,
    eventTypes: [],
  });
  const eventId = await emit(payoutEvent("payout.paid", "farmer"));
  await dispatchDomainEventsThrough({ db: database.db, eventId });
  const deliveries = await database.db.webhookDelivery.findMany({ where: { eventId } });
  expect(deliveries.map((d) => d.endpointId)).toEqual([payouts.endpoint.id]);
  const jobs = await listJobs(database.db.$pool, { key: webhookDeliveryJobKey(deliveries[0]!.id) });
  expect(jobs.map(({ task, payload }) => ({ task, payload }))).toEqual([
    { task: jobTasks.deliverWebhook, payload: { deliveryId: deliveries[0]!.id.toString() } },
  ]);
});

test("a dispatch reports the events it took and the notifications it wrote", async () => {
  await emit({ ...payoutEvent("payout.queued", "user-count-a", "p-count"), userIds: ["user-count-a", "user-count-b"] });
  await emit(payoutEvent("payout.paid", "user-count-a", "p-count"));
  // Two events: three notifications for the first (two users, staff), two for the second.
  expect(await dispatchAllDomainEvents({ db: database.db })).toEqual({ events: 2, notifications: 5, webhookDeliveries: 0 });
  expect(await dispatchAllDomainEvents({ db: database.db })).toEqual({ events: 0, notifications: 0, webhookDeliveries: 0 });
});

test("events are taken in numeric (transaction id, id) order: none skipped where ids gain a digit", async () => {
  // One transaction, ids that sort differently as text ("100000000000" < "99999999998"): the
  // dispatcher reads ids back as text, and ordering by those once moved the cursor past the others.
  const ids = ["99999999998", "99999999999", "100000000000"];
  await database.db.$pool.query(
    `insert into domain_events (id, type, aggregate_type, aggregate_id, user_ids, payload)
     select id, 'payout.queued', 'payout', 'digits-' || id, '{user-digits}', '{}' from unnest($1::bigint[]) as t(id)`,
    [ids],
  );
  await dispatchAllDomainEvents({ db: database.db, batchSize: 1 });
  const staff = await database.db.notification.findMany({
    where: { eventId: { in: ids.map(BigInt) }, audience: "staff" },
    orderBy: { id: "asc" },
    select: { eventId: true },
  });
  expect(staff.map((n) => n.eventId.toString())).toEqual(ids);
});

test("webhook deliveries follow the endpoints active at each dispatch: none while every endpoint is disabled, one again once an endpoint is active", async () => {
  const db = database.db;
  await db.webhookEndpoint.updateMany({ where: { active: true }, data: { active: false } });
  await subscribePartnerToUser({ db, partnerKeyId: "key-hooks", userId: "hook-user" });
  const disabled = await registerWebhookEndpoint({ db, partnerKeyId: "key-hooks", url: "http://127.0.0.1:9/off", eventTypes: [], allowPrivateAddresses: true });
  await disableWebhookEndpoint({ db, partnerKeyId: "key-hooks", endpointId: disabled.endpoint.id });
  const quiet = await emit(payoutEvent("payout.paid", "hook-user", "p-hooks-1"));
  expect(await dispatchAllDomainEvents({ db })).toMatchObject({ events: 1, webhookDeliveries: 0 });

  const active = await registerWebhookEndpoint({ db, partnerKeyId: "key-hooks", url: "http://127.0.0.1:9/on", eventTypes: ["payout.*"], allowPrivateAddresses: true });
  const heard = await emit(payoutEvent("payout.paid", "hook-user", "p-hooks-2"));
  expect(await dispatchAllDomainEvents({ db })).toMatchObject({ events: 1, webhookDeliveries: 1 });
  const deliveries = await db.webhookDelivery.findMany({ where: { eventId: { in: [quiet, heard] } } });
  expect(deliveries.map((d) => [d.eventId, d.endpointId])).toEqual([[heard, active.endpoint.id]]);
});

test("list filters by event type", async () => {
  const recipient = { audience: "user", recipientId: "typed-reader" } as const;
  await emit(payoutEvent("payout.paid", "typed-reader", "t-paid"));
  const lastId = await emit(payoutEvent("payout.failed", "typed-reader", "t-failed"));
  await dispatchDomainEventsThrough({ db: database.db, eventId: lastId });
  const failed = await listNotifications({ db: database.db, recipient, type: "payout.failed" });
  expect(failed.items.map((n) => [n.type, n.aggregateId])).toEqual([["payout.failed", "t-failed"]]);
  expect((await listNotifications({ db: database.db, recipient })).items).toHaveLength(2);
});
