import { checkAccess, type Access } from "@agrinet/router";
import type { FastifyReply, FastifyRequest } from "fastify";

/** The spec's error body, for routes outside tRPC. */
export function sendError(reply: FastifyReply, status: number, code: string, message: string) {
  return reply.status(status).send({ error: { code, message } });
}

/**
 * preHandler for plain Fastify routes: the same decision as the tRPC middleware. "self" rules
 * read `userId` from the route params, then the query, then the body.
 */
export function requireAccess(access: Access) {
  return async function accessPreHandler(request: FastifyRequest, reply: FastifyReply) {
    const input = {
      ...(typeof request.body === "object" && request.body !== null ? request.body : {}),
      ...(typeof request.query === "object" && request.query !== null ? request.query : {}),
      ...(typeof request.params === "object" && request.params !== null ? request.params : {}),
    };
    const decision = checkAccess(access, request.principal, input);
    if (decision === "unauthorized") return sendError(reply, 401, "UNAUTHORIZED", "missing or invalid credentials");
    if (decision === "forbidden") return sendError(reply, 403, "FORBIDDEN", "not allowed for this caller");
  };
}
