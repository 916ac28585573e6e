import type { Db } from "@agrinet/db";
import type { NotificationHub } from "@agrinet/domain";
import { appRouter, createCallerFactory, describeError, type Context } from "@agrinet/router";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { ResolvePrincipal } from "./principal";

export type ContextDeps = {
  db: Db;
  expectedMigrations: string[];
  resolvePrincipal: ResolvePrincipal;
  notificationHub?: NotificationHub;
};

/** The procedure context for a request: the same for /trpc, the REST routes and SSE. */
export async function createRequestContext(deps: ContextDeps, request: FastifyRequest): Promise<Context> {
  return {
    db: deps.db,
    requestId: request.id,
    principal: await deps.resolvePrincipal(request),
    expectedMigrations: deps.expectedMigrations,
    notificationHub: deps.notificationHub,
  };
}

const createCaller = createCallerFactory(appRouter);

/** REST routes call procedures, so validation and `meta.access` apply exactly as over tRPC. */
export async function callerFor(deps: ContextDeps, request: FastifyRequest) {
  return createCaller(await createRequestContext(deps, request));
}

/** A procedure's failure as the REST error body, with the status from the one table. */
export function sendError(reply: FastifyReply, request: FastifyRequest, error: unknown) {
  const cause = (error as { cause?: unknown }).cause ?? error;
  const described = describeError(cause);
  if (described.code === "INTERNAL") request.log.error({ err: error }, "request failed");
  return reply.code(described.httpStatus).send({
    code: described.code,
    message: described.code === "INTERNAL" ? "internal error" : described.message,
    fields: described.fields,
    ...(described.details ? { details: described.details } : {}),
    requestId: request.id,
  });
}
