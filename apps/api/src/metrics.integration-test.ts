import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { afterAll, beforeAll, expect, test } from "vitest";
import Fastify from "fastify";
import { createApiMetrics, instrumentRequests } from "./metrics";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
});

test("the money-events gauge counts the last 24 hours of deposit and payout events, by type", async () => {
  const event = (type: string, hoursAgo: number) =>
    database.db.$executeRaw`
      insert into domain_events (type, aggregate_type, aggregate_id, user_ids, payload, created_at)
      values (${type}, 'test', 'agg', array[]::text[], '{}'::jsonb, now() - make_interval(hours => ${hoursAgo}))`;
  await event("deposit.created", 1);
  await event("deposit.created", 23);
  await event("deposit.confirmed", 25);
  await event("payout.paid", 2);
  await event("payout.paid", 48);
  await event("contract.registered", 1);
  await event("escrow.funded", 3);

  const { registry } = createApiMetrics({ db: database.db });
  const gauge = await registry.getSingleMetric("agrinet_money_events_24h")!.get();
  const counts = Object.fromEntries(gauge.values.map((v) => [v.labels.type, v.value]));
  expect(counts).toEqual({ "deposit.created": 2, "payout.paid": 1 });
});

test("requests are counted and timed by method, route pattern and status; /metrics itself is not", async () => {
  const metrics = createApiMetrics({ db: database.db });
  const fastify = Fastify();
  instrumentRequests(fastify, metrics);
  fastify.get("/deposit/:depositId", async () => ({ ok: true }));
  fastify.get("/metrics", async () => "");
  await fastify.inject({ url: "/deposit/d1" });
  await fastify.inject({ url: "/deposit/d2" });
  await fastify.inject({ url: "/nowhere" });
  await fastify.inject({ url: "/metrics" });
  await fastify.close();

  const counted = (await metrics.httpRequests.get()).values.map((v) => ({ ...v.labels, count: v.value }));
  expect(counted).toEqual(
    expect.arrayContaining([
      { method: "GET", route: "/deposit/:depositId", status_code: 200, count: 2 },
      { method: "GET", route: "unmatched", status_code: 404, count: 1 },
    ]),
  );
  expect(counted).toHaveLength(2);
  const timed = (await metrics.httpDuration.get()).values.filter((v) => v.metricName === "agrinet_http_request_duration_seconds_count");
  expect(timed.map((v) => ({ ...v.labels, count: v.value }))).toEqual(
    expect.arrayContaining([
      { method: "GET", route: "/deposit/:depositId", count: 2 },
      { method: "GET", route: "unmatched", count: 1 },
    ]),
  );
});
