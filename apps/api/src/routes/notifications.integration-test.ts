import type { AddressInfo } from "node:net";
import { listMigrationNames } from "@agrinet/db";
import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { dispatchDomainEventsThrough, emitDomainEvent } from "@agrinet/domain";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, test } from "vitest";
import app from "../app";
import { createTestCredentials, type TestCredentials } from "../testing/credentials";
import { connectSse, notificationsIn } from "../testing/sse-client";

let database: TestDatabase;
const apps: FastifyInstance[] = [];
let first: string;
let second: string;
const metricsToken = "metrics-token-for-tests";
let credentials: TestCredentials;

/** A user follows their own stream: the access rule compares `userId` with the token. */
async function userStream(base: string, userId: string, extra: Record<string, string> = {}) {
  return connectSse(`${base}/notifications/stream?userId=${userId}`, { ...(await credentials.user(userId)), ...extra });
}

async function startApi(): Promise<string> {
  const fastify = Fastify();
  await fastify.register(app, {
    db: database.db,
    expectedMigrations: await listMigrationNames(),
    databaseUrl: database.url,
    metricsToken,
    sseHeartbeatMs: 300,
  });
  await fastify.listen({ host: "127.0.0.1", port: 0 });
  apps.push(fastify);
  return `http://127.0.0.1:${(fastify.server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  database = await createTestDatabase();
  [first, second] = await Promise.all([startApi(), startApi()]);
  credentials = createTestCredentials({ fastify: apps[0]!, db: database.db });
});

afterAll(async () => {
  await Promise.all(apps.map((fastify) => fastify.close()));
  await database?.drop();
});

/** What the payout engine will do: change state and emit in one transaction; the worker dispatches. */
async function payoutChanges(userId: string, payoutId: string, types: string[]) {
  for (const type of types) {
    const eventId = await database.db.$transaction((tx) =>
      emitDomainEvent(tx, {
        type,
        aggregateType: "payout",
        aggregateId: payoutId,
        userIds: [userId],
        payload: { amount: 10_000n, currency: "KES", userId },
      }),
    );
    await dispatchDomainEventsThrough({ db: database.db, eventId });
  }
}

const payoutStates = ["payout.queued", "payout.processing", "payout.paid"];

test("clients on either API process, and staff, see every payout change in order", async () => {
  const onFirst = await userStream(first, "farmer-1");
  const onSecond = await userStream(second, "farmer-1");
  const staff = await connectSse(`${second}/notifications/stream`, await credentials.staff("operator"));
  const bystander = await userStream(first, "farmer-2");
  try {
    expect([onFirst.status, onSecond.status, staff.status]).toEqual([200, 200, 200]);
    await Promise.all([onFirst, onSecond, staff].map((c) => c.waitFor((m) => m.some((x) => x.comment === "connected"))));
    await payoutChanges("farmer-1", "payout-1", payoutStates);

    for (const client of [onFirst, onSecond, staff]) {
      await client.waitFor((m) => notificationsIn(m).length >= 3);
      const received = notificationsIn(client.messages);
      expect(received.map((n) => [n.type, n.aggregateId])).toEqual(payoutStates.map((t) => [t, "payout-1"]));
      const ids = received.map((n) => BigInt(n.id));
      expect([...ids].sort((a, b) => (a < b ? -1 : 1))).toEqual(ids);
    }
    expect(notificationsIn(bystander.messages)).toEqual([]);
  } finally {
    [onFirst, onSecond, staff, bystander].forEach((c) => c.close());
  }
});

test("reconnecting with Last-Event-ID replays what was missed, then continues live", async () => {
  const client = await userStream(first, "farmer-3");
  await client.waitFor((m) => m.some((x) => x.comment === "connected"));
  await payoutChanges("farmer-3", "payout-3", ["payout.queued"]);
  await client.waitFor((m) => notificationsIn(m).length === 1);
  const lastId = notificationsIn(client.messages)[0]!.id;
  client.close();

  await payoutChanges("farmer-3", "payout-3", ["payout.processing", "payout.paid"]);

  const resumed = await userStream(second, "farmer-3", { "last-event-id": lastId });
  try {
    await resumed.waitFor((m) => notificationsIn(m).length >= 2);
    await payoutChanges("farmer-3", "payout-4", ["payout.queued"]);
    await resumed.waitFor((m) => notificationsIn(m).length >= 3);
    expect(notificationsIn(resumed.messages).map((n) => [n.type, n.aggregateId])).toEqual([
      ["payout.processing", "payout-3"],
      ["payout.paid", "payout-3"],
      ["payout.queued", "payout-4"],
    ]);
  } finally {
    resumed.close();
  }
});

test("idle streams carry heartbeat comments", async () => {
  const client = await userStream(first, "quiet");
  try {
    await client.waitFor((m) => m.filter((x) => x.comment === "heartbeat").length >= 2);
  } finally {
    client.close();
  }
});

test("a stream needs a caller, and a user cannot follow someone else", async () => {
  const anonymous = await fetch(`${first}/notifications/stream`);
  expect(anonymous.status).toBe(401);
  const other = await fetch(`${first}/notifications/stream?userId=farmer-1`, { headers: await credentials.user("farmer-9") });
  expect(other.status).toBe(403);
  const badResume = await fetch(`${first}/notifications/stream?userId=farmer-1`, {
    headers: { ...(await credentials.user("farmer-1")), "last-event-id": "abc" },
  });
  expect(badResume.status).toBe(400);
  expect(await badResume.json()).toMatchObject({
    error: { code: "VALIDATION_FAILED", fields: [{ path: "Last-Event-ID" }] },
  });
});

test("/metrics wants its token and reports requests, streams and the queue", async () => {
  expect((await fetch(`${first}/metrics`)).status).toBe(401);
  const response = await fetch(`${first}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
  expect(response.status).toBe(200);
  const text = await response.text();
  expect(text).toMatch(/agrinet_http_requests_total\{method="GET",route="\/notifications\/stream",status_code="401"\} \d+/);
  expect(text).toMatch(/agrinet_notifications_delivered_total\{transport="sse"\} [1-9]/);
  expect(text).toContain("agrinet_sse_clients ");
  expect(text).toContain("agrinet_worker_heartbeat_age_seconds ");
  expect(text).toMatch(/agrinet_money_events_24h\{type="payout.paid"\} [1-9]/);
});

test("settlement exports answer only authorised callers", async () => {
  const csv = await fetch(`${first}/admin/settlements.csv?from=2026-01-01&to=2026-02-01`);
  expect(csv.status).toBe(401);
  const trends = await fetch(`${first}/federation/trends/settlements?from=2026-01-01&to=2026-02-01`);
  expect(trends.status).toBe(401);

  const asViewer = await fetch(`${first}/admin/settlements.csv?from=2026-01-01&to=2026-02-01`, {
    headers: await credentials.staff("viewer"),
  });
  expect(asViewer.status).toBe(200);
  expect(asViewer.headers.get("content-type")).toMatch(/text\/csv/);
  const partnerWithoutScope = await fetch(`${first}/federation/trends/settlements?from=2026-01-01&to=2026-02-01`, {
    headers: await credentials.partner(["deposits:read"]),
  });
  expect(partnerWithoutScope.status).toBe(403);
  const partner = await fetch(`${first}/federation/trends/settlements?from=2026-01-01&to=2026-02-01`, {
    headers: await credentials.partner(["settlements:read"]),
  });
  expect(partner.status).toBe(200);
});

test("issue #23 row 10: one credential holds at most SSE_MAX_STREAMS_PER_CALLER streams per process", async () => {
  const open = [];
  try {
    for (let i = 0; i < 10; i++) open.push(await userStream(first, "farmer-capped"));
    expect(open.map((c) => c.status)).toEqual(open.map(() => 200));
    const oneTooMany = await userStream(first, "farmer-capped");
    open.push(oneTooMany);
    expect(oneTooMany.status).toBe(429);
    // Another caller is not affected, and a closed stream frees its place.
    const other = await userStream(first, "farmer-other");
    open.push(other);
    expect(other.status).toBe(200);
    open.shift()!.close();
    const again = await (async () => {
      for (let attempt = 0; attempt < 50; attempt++) {
        const next = await userStream(first, "farmer-capped");
        if (next.status === 200) return next;
        next.close();
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error("the closed stream's place was not freed");
    })();
    open.push(again);
  } finally {
    for (const connection of open) connection.close();
  }
});
