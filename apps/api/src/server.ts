import { randomUUID } from "node:crypto";
import { createDb, listMigrationNames } from "@agrinet/db";
import Fastify from "fastify";
import app from "./app";
import { authSettingsFromEnv, loadApiEnv } from "./env";
import { frameworkErrors } from "./rest/error-envelope";
import { loggerOptions } from "./logger";

const env = loadApiEnv();

const fastify = Fastify({
  logger: loggerOptions(env.LOG_LEVEL),
  requestIdHeader: "x-request-id",
  genReqId: () => randomUUID(),
  // Keep-alive sockets must not hold a graceful shutdown open.
  forceCloseConnections: "idle",
  connectionTimeout: 30_000,
  requestTimeout: 30_000,
  frameworkErrors,
});

const db = createDb({ connectionString: env.DATABASE_URL, maxConnections: 20 });
await fastify.register(app, {
  db,
  expectedMigrations: await listMigrationNames(),
  auth: authSettingsFromEnv(env),
  payments: {
    depositMinAmount: env.DEPOSIT_MIN_AMOUNT,
    depositsPartnerConfirm: env.DEPOSITS_PARTNER_CONFIRM,
    stripeKey: env.STRIPE_KEY,
    stripeApiBase: env.STRIPE_API_BASE,
    webhookSecret: env.PAYOUTS_WEBHOOK_SECRET,
    uploadsDir: env.UPLOADS_DIR,
  },
  corsOrigins: env.CORS_ORIGINS,
  rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE,
  restBodyLimit: env.REST_BODY_LIMIT_BYTES,
});

let closing = false;
async function shutdown(signal: string) {
  if (closing) return;
  closing = true;
  fastify.log.info({ signal }, "shutting down: finishing in-flight requests");
  const timer = setTimeout(() => {
    fastify.log.error("shutdown grace period over; exiting");
    process.exit(1);
  }, env.SHUTDOWN_GRACE_SECONDS * 1000);
  timer.unref();
  await fastify.close();
  await db.$disconnect();
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));

await fastify.listen({ host: env.API_HOST, port: env.API_PORT });
