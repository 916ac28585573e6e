import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { emitDomainEvent, NotificationHub, type NotificationView } from "@agrinet/domain";
import { pino } from "pino";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startNotificationDispatcher } from "./notification-dispatcher";

let database: TestDatabase;
let hub: NotificationHub;
const log = pino({ level: "silent" });

beforeAll(async () => {
  database = await createTestDatabase();
  hub = new NotificationHub({ db: database.db, connectionString: database.url, pollIntervalMs: 60_000 });
  await hub.start();
});

afterAll(async () => {
  await hub?.stop();
  await database?.drop();
});

const emit = (type: string, userId: string, payoutId: string) =>
  database.db.$transaction((tx) =>
    emitDomainEvent(tx, {
      type,
      aggregateType: "payout",
      aggregateId: payoutId,
      userIds: [userId],
      payload: { amount: 5_000n, currency: "KES", userId },
    }),
  );

async function take(stream: AsyncGenerator<NotificationView>, count: number): Promise<NotificationView[]> {
  const items: NotificationView[] = [];
  for await (const item of stream) {
    items.push(item);
    if (items.length === count) break;
  }
  return items;
}

test("a committed event reaches a live subscriber through the running dispatcher", async () => {
  // The commit's NOTIFY wakes it; the slow poll only covers a horizon held by another transaction.
  const dispatcher = await startNotificationDispatcher({
    db: database.db,
    connectionString: database.url,
    log,
    pollIntervalMs: 5_000,
  });
  const abort = new AbortController();
  try {
    const stream = hub.subscribe({ audience: "user", recipientId: "live-user" }, { signal: abort.signal });
    const received = take(stream, 2);
    await emit("payout.queued", "live-user", "p-live");
    await emit("payout.paid", "live-user", "p-live");
    expect((await received).map((n) => n.type)).toEqual(["payout.queued", "payout.paid"]);
  } finally {
    abort.abort();
    await dispatcher.stop();
  }
});

test("events written while no dispatcher runs are delivered by the next one, once", async () => {
  const before = await database.db.notification.count();
  await emit("payout.queued", "offline-user", "p-off");
  await emit("payout.failed", "offline-user", "p-off");
  const restarted = await startNotificationDispatcher({
    db: database.db,
    connectionString: database.url,
    log,
    pollIntervalMs: 200,
  });
  try {
    const replay = hub.subscribe({ audience: "user", recipientId: "offline-user" }, { lastEventId: 0n });
    expect((await take(replay, 2)).map((n) => n.type)).toEqual(["payout.queued", "payout.failed"]);
  } finally {
    await restarted.stop();
  }
  // Two events, each for the user and for staff; nothing repeated by the restart.
  expect((await database.db.notification.count()) - before).toBe(4);
});
