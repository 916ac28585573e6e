import type { Db } from "@agrinet/db";
import { getReadReplicaStatus, getSystemStatus } from "@agrinet/domain";
import type { FastifyInstance } from "fastify";

export async function healthRoutes(
  fastify: FastifyInstance,
  options: { db: Db; expectedMigrations: string[]; readDb?: Db },
) {
  fastify.get(
    "/healthz",
    {
      logLevel: "warn",
      config: {
        openapi: {
          operationId: "healthz",
          summary: "Liveness: the process answers",
          tags: ["system"],
          security: [],
          responses: { "200": { description: "Alive", content: { "application/json": { example: { status: "ok" } } } } },
        },
      },
    },
    async () => ({ status: "ok" }),
  );

  fastify.get("/readyz", {
    logLevel: "warn",
    config: {
      openapi: {
        operationId: "readyz",
        summary: "Readiness: database reachable, migrations applied, a worker alive",
        tags: ["system"],
        security: [],
        responses: {
          "200": { description: "Ready", content: { "application/json": {} } },
          "503": { description: "Not ready; `failing` names the parts", content: { "application/json": {} } },
        },
      },
    },
  }, async (_request, reply) => {
    // With DATABASE_READ_URL, how stale list and report reads may be now; stale reads are
    // acceptable, so this never makes the API unready.
    const [status, readReplica] = await Promise.all([
      getSystemStatus(options),
      options.readDb ? getReadReplicaStatus(options.readDb) : undefined,
    ]);
    const failing = (["database", "migrations", "worker"] as const).filter(
      (part) => status[part] !== "ok",
    );
    return reply.code(failing.length ? 503 : 200).send({
      status: failing.length ? "unavailable" : "ok",
      database: status.database,
      migrations: status.migrations,
      worker: status.worker,
      ...(readReplica ? { readReplica } : {}),
      ...(failing.length ? { failing, details: status.details } : {}),
    });
  });
}
