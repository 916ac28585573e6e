import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { afterAll, beforeAll, expect, test } from "vitest";
import Fastify from "fastify";
import { createApiMetrics, instrumentRequests, metricsRoute } from "./metrics";

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
  await event("mpesa.unmatched", 5);

  const { registry } = createApiMetrics({ db: database.db });
  const gauge = await registry.getSingleMetric("agrinet_money_events_24h")!.get();
  const counts = Object.fromEntries(gauge.values.map((v) => [v.labels.type, v.value]));
  expect(counts).toEqual({ "deposit.created": 2, "payout.paid": 1, "mpesa.unmatched": 1 });
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

test("payouts awaiting their rail are counted by rail with the oldest one's wait; other statuses are not", async () => {
  const payout = (id: string, rail: string, status: string, minutesAgo: number) =>
    database.db.$executeRaw`
      insert into payouts (id, user_id, amount, currency, destination_type, destination, reference, request_hash, status, processing_at)
      values (${id}, 'user_m', 1000, 'KES', ${rail}, '{}'::jsonb, ${`ref-${id}`}, 'h', ${status}, now() - make_interval(mins => ${minutesAgo}))`;
  await payout("po_m1", "mpesa", "processing", 10);
  await payout("po_m2", "mpesa", "processing", 2);
  await payout("po_s1", "stripe", "processing", 1);
  await payout("po_m3", "mpesa", "failed", 600);
  await payout("po_m4", "mpesa", "queued", 600);

  const { registry } = createApiMetrics({ db: database.db });
  const read = async (name: string) =>
    Object.fromEntries((await registry.getSingleMetric(name)!.get()).values.map((v) => [v.labels.rail, v.value]));
  expect(await read("agrinet_payouts_processing")).toEqual({ mpesa: 2, stripe: 1 });
  const oldest = await read("agrinet_payouts_processing_oldest_seconds");
  expect(oldest.mpesa).toBeGreaterThanOrEqual(600);
  expect(oldest.mpesa).toBeLessThan(660);
  expect(oldest.stripe).toBeGreaterThanOrEqual(60);
  expect(oldest.stripe).toBeLessThan(120);
});

test("reconciliation: the oldest open exception's age by source; resolved ones do not count, a source with none open reads 0", async () => {
  const exception = (key: string, source: string, status: string, hoursAgo: number) =>
    database.db.$executeRaw`
      insert into reconciliation_exceptions (key, source, kind, status, occurred_at, created_at)
      values (${key}, ${source}, 'unmatched_line', ${status}, now(), now() - make_interval(hours => ${hoursAgo}))`;
  await exception("unmatched_line:line:1", "mpesa", "new", 48);
  await exception("unmatched_line:line:2", "mpesa", "persisting", 2);
  await exception("unmatched_line:line:3", "bank", "persisting", 1);
  await exception("unmatched_line:line:4", "stripe", "resolved", 240);

  const { registry } = createApiMetrics({ db: database.db });
  const values = Object.fromEntries(
    (await registry.getSingleMetric("agrinet_reconciliation_exception_oldest_seconds")!.get()).values.map((v) => [v.labels.source, v.value]),
  );
  expect(values.mpesa).toBeGreaterThanOrEqual(48 * 3600);
  expect(values.mpesa).toBeLessThan(48 * 3600 + 60);
  expect(values.bank).toBeGreaterThanOrEqual(3600);
  expect(values.bank).toBeLessThan(3660);
  expect(values.stripe).toBe(0);
});

test("unmatched M-Pesa payments: how many wait in suspense and the oldest's age, by currency; assigned or returned ones do not count", async () => {
  const payment = (id: string, currency: string, exception: string | null, hoursAgo: number) =>
    database.db.$executeRaw`
      insert into mpesa_payments (id, kind, currency, state, exception, created_at)
      values (${id}, 'c2b', ${currency}, 'paid', ${exception}, now() - make_interval(hours => ${hoursAgo}))`;
  await payment("mpp_metrics_1", "KES", "open", 5);
  await payment("mpp_metrics_2", "KES", "open", 1);
  await payment("mpp_metrics_3", "TZS", "open", 2);
  await payment("mpp_metrics_4", "KES", "assigned", 48);
  await payment("mpp_metrics_5", "UGX", "returned", 48);
  await payment("mpp_metrics_6", "UGX", null, 48);

  const { registry } = createApiMetrics({ db: database.db });
  const read = async (name: string) =>
    Object.fromEntries((await registry.getSingleMetric(name)!.get()).values.map((v) => [v.labels.currency, v.value]));
  expect(await read("agrinet_mpesa_unmatched_open")).toEqual({ KES: 2, TZS: 1 });
  const oldest = await read("agrinet_mpesa_unmatched_oldest_seconds");
  expect(Object.keys(oldest).sort()).toEqual(["KES", "TZS"]);
  expect(oldest.KES).toBeGreaterThanOrEqual(5 * 3600);
  expect(oldest.KES).toBeLessThan(5 * 3600 + 60);
  expect(oldest.TZS).toBeGreaterThanOrEqual(2 * 3600);
});

test("GET /metrics without the token is 401 in the one error envelope; with it, the metrics", async () => {
  const metrics = createApiMetrics({ db: database.db });
  const fastify = Fastify();
  await fastify.register(metricsRoute, { metrics, token: "scrape-token" });
  try {
    const refused = await fastify.inject({ url: "/metrics", headers: { authorization: "Bearer wrong" } });
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toEqual({ error: { code: "UNAUTHORIZED", message: "metrics token required", fields: [], requestId: expect.any(String) } });
    const scraped = await fastify.inject({ url: "/metrics", headers: { authorization: "Bearer scrape-token" } });
    expect(scraped.statusCode).toBe(200);
    expect(scraped.body).toContain("agrinet_money_events_24h");
  } finally {
    await fastify.close();
  }
});
