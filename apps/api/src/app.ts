import { assertStorableInput, DomainError } from "@agrinet/core";
import type { Db } from "@agrinet/db";
import {
  createPayoutRuntime,
  createUserTokenVerifier,
  NotificationHub,
  type C2bSettings,
  type MpesaCollectionsSettings,
  type RailsByDestination,
} from "@agrinet/domain";
import { chargeStripeDeposit, createStripeClient } from "@agrinet/rails";
import { appRouter, defaultDepositSettings, defaultPayoutSettings, withStrictInputs, type Context, type PayoutSettings, type Principal } from "@agrinet/router";
import cors from "@fastify/cors";
import rateLimit from "@fastify/rate-limit";
import type { AnyTRPCRouter } from "@trpc/server";
import { fastifyTRPCPlugin, type FastifyTRPCPluginOptions } from "@trpc/server/adapters/fastify";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { authRoutes } from "./auth/auth-routes";
import { createAuth } from "./auth/create-auth";
import { carriesCredentials, createPrincipalResolver } from "./auth/resolve-principal";
import { devAuthSettings, type AuthSettings } from "./auth/settings";
import { createApiMetrics, instrumentRequests, metricsRoute, type ApiMetrics } from "./metrics";
import type { ContextDeps } from "./request-context";
import { errorEnvelopePlugin } from "./rest/error-envelope";
import { openApiRoutes } from "./rest/openapi-routes";
import { trpcIdempotency } from "./rest/trpc-idempotency";
import { restBridge } from "./rest/rest-bridge";
import { healthRoutes } from "./routes/health";
import { receiptRoutes } from "./routes/receipts";
import { reconciliationRoutes } from "./routes/reconciliation";
import { stripeWebhookRoutes } from "./routes/stripe-webhook";
import { mpesaCallbackRoutes } from "./routes/mpesa-callbacks";
import { mpesaCollectionRoutes } from "./routes/mpesa-collections";
import { notificationRoutes } from "./routes/notifications";
import { settlementRoutes } from "./routes/settlements";

declare module "fastify" {
  interface FastifyRequest {
    /** The authenticated caller (null: none or invalid); resolved before every route. */
    principal: Principal | null;
  }
}

export type AppOptions = {
  db: Db;
  /** A replica for lists and reports (DATABASE_READ_URL); see `Context.readDb`. */
  readDb?: Db;
  expectedMigrations: string[];
  payments?: PaymentsSettings;
  /** Defaults to the dev-only settings (tests); server.ts passes the environment's. */
  auth?: AuthSettings;
  /** Partner origins allowed by CORS; none → no CORS headers. */
  corsOrigins?: string[];
  /** Requests per minute per credential (or IP). */
  rateLimitPerMinute?: number;
  /** Largest REST body in bytes. */
  restBodyLimit?: number;
  /** Tests substitute a router with example procedures; production serves `appRouter`. */
  router?: AnyTRPCRouter;
  /** Enables live notifications: the process's hub opens one LISTEN connection with it. */
  databaseUrl?: string;
  /** Serves /metrics on this app, behind `Authorization: Bearer <token>`. */
  metricsToken?: string;
  /** Hands the app's metrics to an internal metrics server (server.ts, METRICS_PORT). */
  exposeMetrics?: (metrics: ApiMetrics) => void;
  sseHeartbeatMs?: number;
  /** Open notification streams per credential on this process (default 10). */
  sseMaxStreamsPerCaller?: number;
  payouts?: {
    settings: PayoutSettings;
    rails: RailsByDestination;
    /** MPESA_CALLBACK_TOKEN; without it the M-Pesa callback routes are not mounted. */
    mpesaCallbackToken?: string | undefined;
    /** MPESA_RESULT_TIMEOUT_SECONDS in ms. */
    statusCheckAfterMs: number;
  };
  /** M-Pesa collections (STK Push deposits, C2B paybill); absent: deposits with a phoneNumber are refused. */
  collections?: {
    settings: MpesaCollectionsSettings;
    c2b: C2bSettings;
    /** MPESA_CALLBACK_TOKEN. */
    callbackToken: string;
    /** MPESA_CALLBACK_ALLOWED_IPS. */
    allowedIps?: string[];
  };
};

/** Deposit and Stripe settings from the environment; every field has a safe default. */
export type PaymentsSettings = {
  /** DEPOSIT_MIN_AMOUNT, minor units (default `paymentDefaults.depositMinAmount`). */
  depositMinAmount?: bigint;
  /** AMOUNT_MAX, minor units (default `defaultAmountMax`): deposits and contracts. */
  amountMax?: bigint;
  /** DEPOSITS_PARTNER_CONFIRM (default false). */
  depositsPartnerConfirm?: boolean;
  /** STRIPE_KEY; unset → `method: "stripe"` deposits are refused. */
  stripeKey?: string | undefined;
  /** STRIPE_API_BASE: another server speaking Stripe's API (a fake in tests). */
  stripeApiBase?: string | undefined;
  /** PAYOUTS_WEBHOOK_SECRET, verifying POST /payments/stripe/webhook. */
  webhookSecret?: string | undefined;
  /** WEBHOOK_ALLOW_PRIVATE_ADDRESSES (default false): partner webhooks to private networks. */
  webhooksAllowPrivateAddresses?: boolean;
  /** UPLOADS_DIR (default ./uploads). */
  uploadsDir?: string;
};

const apiVersion = "1.0.0";

/**
 * Rate limits count per verified caller, so one partner's burst never throttles another behind
 * the same NAT; everything else (no credentials, or credentials that did not verify) counts per
 * IP: a caller cannot mint fresh buckets by sending junk keys, tokens or cookies. A partner key
 * counts by its id: one bucket whether it comes in x-api-key or Authorization.
 */
function rateLimitKey(request: FastifyRequest): string {
  const principal = request.principal;
  if (principal?.kind === "partner") return `partner:${principal.keyId}`;
  if (principal?.kind === "staff") return `staff:${principal.userId}`;
  if (principal?.kind === "user") return `user:${principal.userId}`;
  return `ip:${request.ip}`;
}

/** `.` and `..` segments, plain or percent-encoded: `new URL()` would resolve them, the router not. */
const dotSegment = /(?:^|\/)(?:\.|%2e){1,2}(?:\/|$)/i;

/** Methods a cross-site form or `no-cors` fetch can send with the staff cookie attached. */
const safeMethods = new Set(["GET", "HEAD", "OPTIONS"]);

function mediaTypeOf(contentType: string | undefined): string | undefined {
  return contentType?.split(";")[0]?.trim().toLowerCase();
}

/**
 * Requests the rate limit never counts: probes, which must keep working while a client is
 * throttled, and the payment providers' callbacks, which authenticate by token or signature and
 * all come from a few addresses: throttling them would drop payment results Daraja never resends.
 */
export function exemptFromRateLimit(url: string): boolean {
  const path = url.split("?", 1)[0]!;
  return (
    path === "/healthz" ||
    path === "/readyz" ||
    path.startsWith("/payments/mpesa/") ||
    path.startsWith("/payments/paybill/") ||
    path === "/payments/stripe/webhook"
  );
}

/** The whole HTTP API as a plugin: server.ts listens, tests use `app.inject`. */
export default async function app(fastify: FastifyInstance, options: AppOptions) {
  const { db, expectedMigrations } = options;
  // Unknown keys are refused the same way over tRPC and REST (one input contract).
  const router = withStrictInputs(options.router ?? appRouter);
  const payouts = options.payouts;

  const settings = options.auth ?? devAuthSettings;
  const auth = createAuth({
    db,
    secret: settings.sessionSecret,
    baseURL: settings.baseURL,
    trustedOrigins: settings.trustedOrigins,
    // better-auth reports every rejected key or password as an error; for an API those are
    // routine 401s, so they go to debug and only its warnings stay visible.
    log: (level, message, ...args) =>
      fastify.log[level === "warn" ? "warn" : "debug"]({ details: args }, `better-auth: ${message}`),
  });
  const resolvePrincipal = createPrincipalResolver({
    auth,
    db,
    verifyUserToken: createUserTokenVerifier({
      secret: settings.jwtSecret,
      jwksUrl: settings.jwksUrl,
      audience: settings.jwtAudience,
      issuer: settings.jwtIssuer,
    }),
  });

  // One spelling per resource: a path that a URL parser would rewrite could reach a route other
  // than the one its rate limit was matched against (sign-in's throttle).
  fastify.addHook("onRequest", (request, _reply, done) => {
    const path = request.url.split("?", 1)[0]!;
    if (dotSegment.test(path)) {
      return done(
        new DomainError("VALIDATION_FAILED", "path: dot segments (. and ..) are not allowed", {
          fields: [{ path: "(path)", message: "dot segments are not allowed" }],
        }),
      );
    }
    done();
  });

  fastify.decorateRequest("principal", null);
  // A callback hook: most requests carry no credentials (probes, the payment providers'
  // callbacks, two per M-Pesa payout) and are answered without a promise; the rest wait for it.
  fastify.addHook("onRequest", (request, _reply, done) => {
    // better-auth reads its own cookies; health probes carry no credentials.
    if (request.url.startsWith("/api/auth/") || request.url === "/healthz" || !carriesCredentials(request)) return done();
    resolvePrincipal(request).then((principal) => {
      request.principal = principal;
      done();
    }, done);
  });

  // The staff cookie rides along on any request a browser sends, whoever's page sent it. A
  // cookie-authenticated change must come from the dashboard's own origin: browsers always send
  // Origin on such requests (and Sec-Fetch-Site), other clients carry no cookie to abuse.
  const cookieOrigins = new Set([...settings.trustedOrigins, new URL(settings.baseURL).origin]);
  fastify.addHook("onRequest", (request, _reply, done) => {
    if (request.principal?.kind !== "staff" || safeMethods.has(request.method)) return done();
    const origin = request.headers.origin;
    if ((origin !== undefined && !cookieOrigins.has(origin)) || request.headers["sec-fetch-site"] === "cross-site") {
      return done(new DomainError("FORBIDDEN", "cross-origin request refused: send it from the dashboard, or use an API key"));
    }
    done();
  });

  // tRPC would read a form or multipart body as an empty input: a procedure whose input is all
  // defaults (payouts.runPayouts) would run from a plain HTML form. It takes JSON only.
  fastify.addHook("onRequest", (request, _reply, done) => {
    if (request.method !== "POST" || !request.url.startsWith("/trpc/")) return done();
    const mediaType = mediaTypeOf(request.headers["content-type"]);
    if (mediaType !== undefined && mediaType !== "application/json") {
      return done(new DomainError("UNSUPPORTED_MEDIA_TYPE", "send tRPC input as application/json"));
    }
    done();
  });

  // Path and query values of every route (plain ones included: the notification stream, the
  // settlement exports) are text that reaches PostgreSQL; procedures check their whole input too.
  fastify.addHook("preValidation", (request, _reply, done) => {
    try {
      assertStorableInput(request.params);
      assertStorableInput(request.query);
      done();
    } catch (error) {
      done(error as Error);
    }
  });

  let notificationHub: NotificationHub | undefined;
  if (options.databaseUrl) {
    notificationHub = new NotificationHub({
      db,
      connectionString: options.databaseUrl,
      onError: (error) => fastify.log.warn({ err: error }, "notification hub"),
    });
    await notificationHub.start();
    fastify.addHook("onClose", () => notificationHub!.stop());
  }
  const metrics = createApiMetrics({ db, hub: notificationHub });
  options.exposeMetrics?.(metrics);
  instrumentRequests(fastify, metrics);

  const payments = options.payments ?? {};
  const stripe = payments.stripeKey
    ? createStripeClient({ apiKey: payments.stripeKey, apiBase: payments.stripeApiBase })
    : null;
  const depositSettings: NonNullable<Context["deposits"]> = {
    minAmount: payments.depositMinAmount ?? defaultDepositSettings.minAmount,
    maxAmount: payments.amountMax,
    partnerConfirm: payments.depositsPartnerConfirm ?? false,
    chargeStripe: stripe ? (charge) => chargeStripeDeposit(stripe, charge) : null,
    mpesa: options.collections ? { ...options.collections.settings, c2b: options.collections.c2b } : null,
  };

  // tRPC, REST and the plain routes share this, so all enforce the same `meta.access`.
  const createContext = (request: FastifyRequest): Context => ({
    db,
    readDb: options.readDb,
    requestId: request.id,
    principal: request.principal,
    ip: request.ip,
    expectedMigrations,
    notificationHub,
    payouts: payouts?.settings ?? defaultPayoutSettings,
    deposits: depositSettings,
    webhooksAllowPrivateAddresses: payments.webhooksAllowPrivateAddresses ?? false,
  });
  const deps: ContextDeps = { createContext, notificationHub };

  await fastify.register(errorEnvelopePlugin);
  await fastify.register(openApiRoutes, { router, version: apiVersion });

  // Without partner origins there is nothing to grant: the plugin would still run on every request.
  if (options.corsOrigins?.length) {
    await fastify.register(cors, {
      origin: options.corsOrigins,
      methods: ["GET", "POST", "PUT", "PATCH", "DELETE"],
      allowedHeaders: ["authorization", "content-type", "idempotency-key", "x-api-key", "x-request-id"],
      exposedHeaders: ["idempotent-replayed", "retry-after", "x-request-id", "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"],
      maxAge: 600,
    });
  }

  await fastify.register(rateLimit, {
    max: options.rateLimitPerMinute ?? 600,
    timeWindow: 60_000,
    keyGenerator: rateLimitKey,
    // After body parsing, so a route's own limit may key on the body (sign-in: per email).
    hook: "preHandler",
    allowList: (request) => exemptFromRateLimit(request.url),
    errorResponseBuilder: (_request, context) =>
      new DomainError("RATE_LIMITED", `rate limit of ${context.max} requests per minute exceeded; retry in ${Math.ceil(context.ttl / 1000)} s`),
  });

  await fastify.register(healthRoutes, { db, expectedMigrations, readDb: options.readDb });
  await fastify.register(authRoutes, {
    auth,
    db,
    signInMaxAttempts: settings.signInMaxAttempts,
    signInWindowSeconds: settings.signInWindowSeconds,
  });

  if (payouts?.mpesaCallbackToken) {
    // This process's one payout runtime: confirmed payouts settle together, one transaction and
    // one lock of the clearing account per batch rather than per payout.
    const runtime = createPayoutRuntime({
      db,
      rails: payouts.rails,
      statusCheckAfterMs: payouts.statusCheckAfterMs,
      onSettleBatchError: (error, size) => fastify.log.warn({ err: error, size }, "payout settlement batch failed; settling one by one"),
    });
    await fastify.register(mpesaCallbackRoutes, {
      prefix: "/payments/mpesa",
      runtime,
      callbackToken: payouts.mpesaCallbackToken,
      maxAttempts: payouts.settings.maxAttempts,
    });
  }

  if (options.collections) {
    await fastify.register(mpesaCollectionRoutes, {
      db,
      c2b: options.collections.c2b,
      callbackToken: options.collections.callbackToken,
      allowedIps: options.collections.allowedIps ?? [],
    });
  }

  await fastify.register(receiptRoutes, { db, uploadsDir: payments.uploadsDir ?? "./uploads" });
  // Without a signing secret nothing could be verified, so the endpoint does not exist.
  if (payments.webhookSecret) {
    await fastify.register(stripeWebhookRoutes, { db, secret: payments.webhookSecret, stripe });
  } else {
    fastify.log.info("PAYOUTS_WEBHOOK_SECRET is unset: POST /payments/stripe/webhook is not served");
  }

  await fastify.register(notificationRoutes, {
    ...deps,
    metrics,
    heartbeatMs: options.sseHeartbeatMs ?? 15_000,
    maxStreamsPerCaller: options.sseMaxStreamsPerCaller ?? 10,
  });
  await fastify.register(settlementRoutes, deps);
  await fastify.register(reconciliationRoutes, { ...deps, db, stripe });
  if (options.metricsToken) await fastify.register(metricsRoute, { metrics, token: options.metricsToken });

  await fastify.register(restBridge, {
    router,
    db,
    createContext,
    bodyLimit: options.restBodyLimit ?? 64 * 1024,
  });


  // tRPC takes the same largest body as REST (Fastify's default would be 1 MiB).
  const restBodyLimit = options.restBodyLimit ?? 64 * 1024;
  fastify.addHook("onRoute", (route) => {
    if (route.url.startsWith("/trpc")) route.bodyLimit = restBodyLimit;
  });
  // Its own scope, so the Idempotency-Key hooks run for /trpc only.
  await fastify.register(async (trpcScope) => {
    trpcIdempotency(trpcScope, { db });
    await trpcScope.register(fastifyTRPCPlugin, {
      prefix: "/trpc",
      trpcOptions: {
        router,
        createContext: ({ req }) => createContext(req),
        onError({ error, path, req }) {
          if (error.code === "INTERNAL_SERVER_ERROR") {
            req.log.error({ err: error.cause ?? error, path }, "procedure failed");
          }
        },
      } satisfies FastifyTRPCPluginOptions<AnyTRPCRouter>["trpcOptions"],
    });
  });
}
