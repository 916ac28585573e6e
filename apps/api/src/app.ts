import type { Db } from "@agrinet/db";
import { createAuth, createUserTokenVerifier } from "@agrinet/domain";
import { appRouter, type Context, type Principal } from "@agrinet/router";
import { fastifyTRPCPlugin, type FastifyTRPCPluginOptions } from "@trpc/server/adapters/fastify";
import type { FastifyInstance } from "fastify";
import { authRoutes } from "./auth/auth-routes";
import { createPrincipalResolver } from "./auth/resolve-principal";
import { devAuthSettings, type AuthSettings } from "./auth/settings";
import { healthRoutes } from "./routes/health";

declare module "fastify" {
  interface FastifyRequest {
    /** The authenticated caller (null: none or invalid); resolved before every route. */
    principal: Principal | null;
  }
}

export type AppOptions = {
  db: Db;
  expectedMigrations: string[];
  /** Defaults to the dev-only settings (tests); server.ts passes the environment's. */
  auth?: AuthSettings;
};

/** The whole HTTP API as a plugin: server.ts listens, tests use `app.inject`. */
export default async function app(fastify: FastifyInstance, options: AppOptions) {
  const { db, expectedMigrations } = options;
  const settings = options.auth ?? devAuthSettings;
  const auth = createAuth({
    db,
    secret: settings.sessionSecret,
    baseURL: settings.baseURL,
    trustedOrigins: settings.trustedOrigins,
  });
  const resolvePrincipal = createPrincipalResolver({
    auth,
    verifyUserToken: createUserTokenVerifier({ secret: settings.jwtSecret, jwksUrl: settings.jwksUrl }),
  });

  fastify.decorateRequest("principal", null);
  fastify.addHook("onRequest", async (request) => {
    // better-auth reads its own cookies; health probes carry no credentials.
    if (request.url.startsWith("/api/auth/") || request.url === "/healthz") return;
    request.principal = await resolvePrincipal(request);
  });

  await fastify.register(healthRoutes, { db, expectedMigrations });
  await fastify.register(authRoutes, {
    auth,
    signInMaxAttempts: settings.signInMaxAttempts,
    signInWindowSeconds: settings.signInWindowSeconds,
  });

  await fastify.register(fastifyTRPCPlugin, {
    prefix: "/trpc",
    trpcOptions: {
      router: appRouter,
      createContext: ({ req }): Context => ({
        db,
        requestId: req.id,
        principal: req.principal,
        ip: req.ip,
        expectedMigrations,
      }),
      onError({ error, path, req }) {
        if (error.code === "INTERNAL_SERVER_ERROR") {
          req.log.error({ err: error.cause ?? error, path }, "procedure failed");
        }
      },
    } satisfies FastifyTRPCPluginOptions<typeof appRouter>["trpcOptions"],
  });
}
