import { createHash, timingSafeEqual } from "node:crypto";
import { DomainError } from "@agrinet/core";
import type { Db } from "@agrinet/db";
import { oldestOpenExceptionAges, reconciliationSources, unmatchedPaymentsWaiting, type NotificationHub } from "@agrinet/domain";
import { jobQueueDepth } from "@agrinet/job-queue";
import { moneyEventsLast24h, processingPayoutsByRail } from "@agrinet/stores/system";
import type { FastifyInstance } from "fastify";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { sendError } from "./rest/error-envelope";

export type ApiMetrics = ReturnType<typeof createApiMetrics>;

/** One registry per app instance, so two apps in one process (tests) do not collide. */
/**
 * One read for the gauges a scrape fills from the same rows: prom-client collects a registry's
 * metrics concurrently, so the gauges' calls meet while the first read is in flight.
 */
export function sharedPerScrape<T>(read: () => Promise<T>): () => Promise<T> {
  let inFlight: Promise<T> | null = null;
  return () =>
    (inFlight ??= read().finally(() => {
      inFlight = null;
    }));
}

export function createApiMetrics(options: { db: Db; hub?: NotificationHub }) {
  const { db, hub } = options;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const httpRequests = new Counter({
    name: "agrinet_http_requests_total",
    help: "HTTP requests answered, by route pattern and status.",
    labelNames: ["method", "route", "status_code"] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: "agrinet_http_request_duration_seconds",
    help: "Time to answer HTTP requests (streams excluded).",
    labelNames: ["method", "route"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const notificationsDelivered = new Counter({
    name: "agrinet_notifications_delivered_total",
    help: "Notifications written to live streams.",
    labelNames: ["transport"] as const,
    registers: [registry],
  });
  new Gauge({
    name: "agrinet_sse_clients",
    help: "Live notification streams attached to this process.",
    registers: [registry],
    collect() {
      this.set(hub?.clientCount ?? 0);
    },
  });
  new Gauge({
    name: "agrinet_job_queue_depth",
    help: "Jobs waiting in the job queue, by task and state (ready, scheduled, locked).",
    labelNames: ["task", "state"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await jobQueueDepth(db).catch(() => []);
      for (const row of rows) this.set({ task: row.task, state: row.state }, row.count);
    },
  });
  new Gauge({
    name: "agrinet_worker_heartbeat_age_seconds",
    help: "Age of the freshest worker heartbeat (+Inf when no worker has beaten).",
    registers: [registry],
    async collect() {
      const newest = await db.workerHeartbeat
        .findFirst({ orderBy: { beatAt: "desc" }, select: { beatAt: true } })
        .catch(() => null);
      this.set(newest ? (Date.now() - newest.beatAt.getTime()) / 1000 : Number.POSITIVE_INFINITY);
    },
  });
  // Payouts sent to their rail and not yet answered: the alert rules tell a late provider callback
  // (minutes) from a payout stuck beyond every retry and status check (deploy/prometheus).
  const processingRows = sharedPerScrape(() => processingPayoutsByRail(db).catch(() => []));
  new Gauge({
    name: "agrinet_payouts_processing",
    help: "Payouts sent to their rail and awaiting its result, by rail.",
    labelNames: ["rail"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await processingRows()) this.set({ rail: row.rail }, row.count);
    },
  });
  new Gauge({
    name: "agrinet_payouts_processing_oldest_seconds",
    help: "How long the oldest payout awaiting its rail's result has waited, by rail.",
    labelNames: ["rail"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await processingRows()) this.set({ rail: row.rail }, row.oldest);
    },
  });
  new Gauge({
    name: "agrinet_reconciliation_exception_oldest_seconds",
    help: "How long the oldest open (new or persisting) reconciliation exception has waited, by source; 0 when none is open.",
    labelNames: ["source"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      // A failed read reports nothing rather than 0: "none open" must not be claimed unread.
      const rows = await oldestOpenExceptionAges(db).catch(() => null);
      if (!rows) return;
      for (const source of reconciliationSources) this.set({ source }, rows.find((row) => row.source === source)?.seconds ?? 0);
    },
  });
  // M-Pesa money nobody asked for, held in suspense until staff assign or return it: a payer is
  // waiting for it (deploy/prometheus alerts on the oldest's age).
  const unmatchedRows = sharedPerScrape(() => unmatchedPaymentsWaiting(db).catch(() => null));
  new Gauge({
    name: "agrinet_mpesa_unmatched_open",
    help: "Unmatched M-Pesa payments held in suspense awaiting staff (assign or return), by currency.",
    labelNames: ["currency"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of (await unmatchedRows()) ?? []) this.set({ currency: row.currency }, row.count);
    },
  });
  new Gauge({
    name: "agrinet_mpesa_unmatched_oldest_seconds",
    help: "How long the oldest unmatched M-Pesa payment in suspense has waited for staff, by currency; absent when none is open.",
    labelNames: ["currency"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of (await unmatchedRows()) ?? []) this.set({ currency: row.currency }, row.oldestSeconds);
    },
  });
  new Gauge({
    name: "agrinet_money_events_24h",
    help: "Deposit, payout and M-Pesa collection events of the last 24 hours, by type (e.g. payout.failed, mpesa.unmatched).",
    labelNames: ["type"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await moneyEventsLast24h(db).catch(() => []);
      for (const row of rows) this.set({ type: row.type }, row.count);
    },
  });

  return { registry, httpRequests, httpDuration, notificationsDelivered };
}

/** Counts and times every request by its route pattern (never the raw URL: unbounded labels). */
export function instrumentRequests(fastify: FastifyInstance, metrics: ApiMetrics) {
  // A callback hook: an async one costs a promise on every request for synchronous work.
  fastify.addHook("onResponse", (request, reply, done) => {
    const route = request.routeOptions.url ?? "unmatched";
    if (route !== "/metrics") {
      metrics.httpRequests.inc({ method: request.method, route, status_code: reply.statusCode });
      metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    }
    done();
  });
}

/**
 * GET /metrics. With a token, callers must send `Authorization: Bearer <token>`; without one the
 * route is only registered on the internal metrics server (server.ts, METRICS_PORT).
 */
export async function metricsRoute(
  fastify: FastifyInstance,
  options: { metrics: ApiMetrics; token?: string },
) {
  const expected = options.token ? createHash("sha256").update(`Bearer ${options.token}`).digest() : null;
  fastify.get("/metrics", { logLevel: "warn" }, async (request, reply) => {
    // Compared as digests in constant time: `!==` stops at the first differing character, and
    // the time that takes tells a caller how much of a guess was right.
    const given = createHash("sha256").update(request.headers.authorization ?? "").digest();
    if (expected && !timingSafeEqual(given, expected)) {
      return sendError(request, reply, new DomainError("UNAUTHORIZED", "metrics token required"));
    }
    const body = await options.metrics.registry.metrics();
    return reply.type(options.metrics.registry.contentType).send(body);
  });
}
