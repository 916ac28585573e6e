import { randomUUID } from "node:crypto";
import { createDb, listMigrationNames } from "@agrinet/db";
import { createMpesaCollectionsFromEnv, createPayoutRailsFromEnv } from "@agrinet/rails";
import Fastify from "fastify";
import app from "./app";
import { authSettingsFromEnv, loadApiEnv } from "./env";
import { clientErrorHandler, frameworkErrors } from "./rest/error-envelope";
import { loggerOptions } from "./logger";
import { fastifyServerOptions } from "./server-options";
import { metricsRoute, type ApiMetrics } from "./metrics";
import { registerC2bUrlsInBackground } from "./routes/mpesa-collections";

const env = loadApiEnv();

const fastify = Fastify({
  ...fastifyServerOptions(env),
  logger: loggerOptions(env.LOG_LEVEL),
  requestIdHeader: "x-request-id",
  genReqId: () => randomUUID(),
  // Keep-alive sockets must not hold a graceful shutdown open.
  forceCloseConnections: "idle",
  connectionTimeout: 30_000,
  // Registering the app opens database connections and builds the routes; on a loaded machine
  // that takes longer than Fastify's default 10 s, which would stop the process at start.
  pluginTimeout: 60_000,
  // tRPC's batch link names every batched procedure in the one path parameter
  // (/trpc/a.b,c.d,...): Fastify's default of 100 characters refused a page's batch of four.
  maxParamLength: 5_000,
  requestTimeout: 30_000,
  frameworkErrors,
  clientErrorHandler,
});

const db = createDb({ connectionString: env.DATABASE_URL, maxConnections: 20 });
const readDb = env.DATABASE_READ_URL ? createDb({ connectionString: env.DATABASE_READ_URL, maxConnections: 10 }) : undefined;
const collections = createMpesaCollectionsFromEnv(env);
let stopC2bRegistration: (() => void) | undefined;
let metrics: ApiMetrics | undefined;
await fastify.register(app, {
  db,
  readDb,
  expectedMigrations: await listMigrationNames(),
  auth: authSettingsFromEnv(env),
  corsOrigins: env.CORS_ORIGINS,
  rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE,
  restBodyLimit: env.REST_BODY_LIMIT_BYTES,
  databaseUrl: env.DATABASE_URL,
  metricsToken: env.METRICS_TOKEN,
  sseHeartbeatMs: env.SSE_HEARTBEAT_SECONDS * 1000,
  sseMaxStreamsPerCaller: env.SSE_MAX_STREAMS_PER_CALLER,
  exposeMetrics: (appMetrics) => (metrics = appMetrics),
  payouts: {
    settings: {
      minAmount: env.PAYOUT_MIN_AMOUNT,
      maxAmount: env.AMOUNT_MAX,
      maxAttempts: env.PAYOUT_MAX_ATTEMPTS,
      runWaitMs: env.PAYOUTS_RUN_WAIT_SECONDS * 1000,
      destinationCoolingOffHours: env.PAYOUT_DESTINATION_COOLING_OFF_HOURS,
    },
    rails: createPayoutRailsFromEnv(env),
    mpesaCallbackToken: env.MPESA_CALLBACK_TOKEN,
    statusCheckAfterMs: env.MPESA_RESULT_TIMEOUT_SECONDS * 1000,
  },
  ...(collections && env.MPESA_CALLBACK_TOKEN
    ? {
        collections: {
          settings: collections,
          c2b: { minAmount: env.DEPOSIT_MIN_AMOUNT, currency: env.MPESA_C2B_CURRENCY, unknownAccounts: env.MPESA_C2B_UNKNOWN_ACCOUNTS },
          callbackToken: env.MPESA_CALLBACK_TOKEN,
          allowedIps: env.MPESA_CALLBACK_ALLOWED_IPS,
        },
      }
    : {}),
  payments: {
    depositMinAmount: env.DEPOSIT_MIN_AMOUNT,
    amountMax: env.AMOUNT_MAX,
    webhooksAllowPrivateAddresses: env.WEBHOOK_ALLOW_PRIVATE_ADDRESSES,
    depositsPartnerConfirm: env.DEPOSITS_PARTNER_CONFIRM,
    stripeKey: env.STRIPE_KEY,
    stripeApiBase: env.STRIPE_API_BASE,
    webhookSecret: env.PAYOUTS_WEBHOOK_SECRET,
    uploadsDir: env.UPLOADS_DIR,
  },
});

// Prometheus scrapes an internal port that is never exposed publicly, so it needs no token.
const metricsServer = env.METRICS_PORT ? Fastify({ logger: loggerOptions(env.LOG_LEVEL) }) : null;
if (metricsServer && metrics) await metricsServer.register(metricsRoute, { metrics });

let closing = false;
async function shutdown(signal: string) {
  if (closing) return;
  closing = true;
  stopC2bRegistration?.();
  fastify.log.info({ signal }, "shutting down: finishing in-flight requests");
  const timer = setTimeout(() => {
    fastify.log.error("shutdown grace period over; exiting");
    process.exit(1);
  }, env.SHUTDOWN_GRACE_SECONDS * 1000);
  timer.unref();
  await Promise.all([fastify.close(), metricsServer?.close()]);
  await Promise.all([db.$disconnect(), readDb?.$disconnect()]);
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));

await fastify.listen({ host: env.API_HOST, port: env.API_PORT });
// After listening: registering is harmless before, but the sandbox beside us may still be starting.
if (collections) stopC2bRegistration = registerC2bUrlsInBackground(collections.client, fastify.log);
if (metricsServer) await metricsServer.listen({ host: env.METRICS_HOST, port: env.METRICS_PORT });
