// Issue #23 row 10: a stream whose reader falls behind is dropped with the cursor to resume
// from, instead of queueing without bound in the API's memory.
import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { afterAll, beforeAll, expect, test } from "vitest";
import { emitDomainEvent } from "../events/emit-domain-event";
import { dispatchDomainEventsThrough } from "./dispatch-domain-events";
import { NotificationHub, SlowReaderError } from "./notification-hub";

let database: TestDatabase;
let hub: NotificationHub;

beforeAll(async () => {
  database = await createTestDatabase();
  hub = new NotificationHub({ db: database.db, connectionString: database.url, maxQueuedPerReader: 3, pollIntervalMs: 100 });
  await hub.start();
});

afterAll(async () => {
  await hub?.stop();
  await database?.drop();
});

async function notify(userId: string, count: number) {
  for (let i = 0; i < count; i++) {
    const eventId = await database.db.$transaction((tx) =>
      emitDomainEvent(tx, { type: "payout.paid", aggregateType: "payout", aggregateId: `p-${i}`, userIds: [userId], payload: {} }),
    );
    await dispatchDomainEventsThrough({ db: database.db, eventId });
  }
}

test("a reader more than maxQueuedPerReader behind is ended with SlowReaderError carrying its last event id", async () => {
  const abort = new AbortController();
  const stream = hub.subscribe({ audience: "user", recipientId: "slow-reader" }, { signal: abort.signal })[Symbol.asyncIterator]();
  const first = stream.next(); // attaches the subscriber
  await notify("slow-reader", 1);
  const delivered = (await first).value as { id: string };
  // The reader stops reading while more arrive than the queue may hold.
  await notify("slow-reader", 6);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const error = await stream.next().then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(SlowReaderError);
  expect((error as SlowReaderError).lastEventId).toBe(BigInt(delivered.id));
  abort.abort();
  expect(hub.clientCount).toBe(0);
});

test("a reader that keeps up gets everything", async () => {
  const abort = new AbortController();
  const received: string[] = [];
  const reading = (async () => {
    for await (const item of hub.subscribe({ audience: "user", recipientId: "fast-reader" }, { signal: abort.signal })) {
      received.push(item.id);
      if (received.length === 3) abort.abort();
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, 100));
  await notify("fast-reader", 3);
  await reading;
  expect(received).toHaveLength(3);
});
