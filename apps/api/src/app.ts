import type { Db } from "@agrinet/db";
import { NotificationHub } from "@agrinet/domain";
import { appRouter } from "@agrinet/router";
import { fastifyTRPCPlugin, type FastifyTRPCPluginOptions } from "@trpc/server/adapters/fastify";
import type { FastifyInstance } from "fastify";
import { createApiMetrics, instrumentRequests, metricsRoute, type ApiMetrics } from "./metrics";
import { principalFromRequest, type ResolvePrincipal } from "./principal";
import { createRequestContext, type ContextDeps } from "./request-context";
import { healthRoutes } from "./routes/health";
import { notificationRoutes } from "./routes/notifications";
import { settlementRoutes } from "./routes/settlements";

export type AppOptions = {
  db: Db;
  expectedMigrations: string[];
  /** Enables live notifications: the process's hub opens one LISTEN connection with it. */
  databaseUrl?: string;
  /** Defaults to the transport's one resolver; tests pass their own caller. */
  resolvePrincipal?: ResolvePrincipal;
  /** Serves /metrics on this app, behind `Authorization: Bearer <token>`. */
  metricsToken?: string;
  /** Hands the app's metrics to an internal metrics server (server.ts, METRICS_PORT). */
  exposeMetrics?: (metrics: ApiMetrics) => void;
  sseHeartbeatMs?: number;
};

/** The whole HTTP API as a plugin: server.ts listens, tests use `app.inject` or listen. */
export default async function app(fastify: FastifyInstance, options: AppOptions) {
  const { db, expectedMigrations } = options;

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

  const deps: ContextDeps = {
    db,
    expectedMigrations,
    resolvePrincipal: options.resolvePrincipal ?? principalFromRequest,
    notificationHub,
  };

  await fastify.register(healthRoutes, { db, expectedMigrations });
  await fastify.register(notificationRoutes, {
    ...deps,
    metrics,
    heartbeatMs: options.sseHeartbeatMs ?? 15_000,
  });
  await fastify.register(settlementRoutes, deps);
  if (options.metricsToken) await fastify.register(metricsRoute, { metrics, token: options.metricsToken });

  await fastify.register(fastifyTRPCPlugin, {
    prefix: "/trpc",
    trpcOptions: {
      router: appRouter,
      createContext: ({ req }) => createRequestContext(deps, req),
      onError({ error, path, req }) {
        if (error.code === "INTERNAL_SERVER_ERROR") {
          req.log.error({ err: error.cause ?? error, path }, "procedure failed");
        }
      },
    } satisfies FastifyTRPCPluginOptions<typeof appRouter>["trpcOptions"],
  });
}
