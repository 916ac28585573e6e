import type { Db } from "@agrinet/db";
import { appRouter, type Context } from "@agrinet/router";
import { fastifyTRPCPlugin, type FastifyTRPCPluginOptions } from "@trpc/server/adapters/fastify";
import type { FastifyInstance } from "fastify";
import { healthRoutes } from "./routes/health";

export type AppOptions = {
  db: Db;
  expectedMigrations: string[];
};

/** The whole HTTP API as a plugin: server.ts listens, tests use `app.inject`. */
export default async function app(fastify: FastifyInstance, options: AppOptions) {
  const { db, expectedMigrations } = options;

  await fastify.register(healthRoutes, { db, expectedMigrations });

  await fastify.register(fastifyTRPCPlugin, {
    prefix: "/trpc",
    trpcOptions: {
      router: appRouter,
      createContext: ({ req }): Context => ({
        db,
        requestId: req.id,
        principal: null,
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
