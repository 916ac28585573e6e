import type { Db } from "@agrinet/db";
import { getSystemStatus } from "@agrinet/domain";
import type { FastifyInstance } from "fastify";

export async function healthRoutes(
  fastify: FastifyInstance,
  options: { db: Db; expectedMigrations: string[] },
) {
  fastify.get("/healthz", { logLevel: "warn" }, async () => ({ status: "ok" }));

  fastify.get("/readyz", { logLevel: "warn" }, async (_request, reply) => {
    const status = await getSystemStatus(options);
    const failing = (["database", "migrations", "worker"] as const).filter(
      (part) => status[part] !== "ok",
    );
    return reply.code(failing.length ? 503 : 200).send({
      status: failing.length ? "unavailable" : "ok",
      database: status.database,
      migrations: status.migrations,
      worker: status.worker,
      ...(failing.length ? { failing, details: status.details } : {}),
    });
  });
}
