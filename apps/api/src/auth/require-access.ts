import { DomainError } from "@agrinet/core";
import { checkAccess, type Access } from "@agrinet/router";
import type { FastifyRequest } from "fastify";

/**
 * preHandler for plain Fastify routes: the same decision as the tRPC middleware, thrown, so a
 * refusal gets the REST error envelope like every other error. "self" rules read `userId` from
 * the route params, then the query, then the body.
 */
export function requireAccess(access: Access) {
  return async function accessPreHandler(request: FastifyRequest) {
    const input = {
      ...(typeof request.body === "object" && request.body !== null ? request.body : {}),
      ...(typeof request.query === "object" && request.query !== null ? request.query : {}),
      ...(typeof request.params === "object" && request.params !== null ? request.params : {}),
    };
    const decision = checkAccess(access, request.principal, input);
    if (decision === "unauthorized") throw new DomainError("UNAUTHORIZED", "missing or invalid credentials");
    if (decision === "forbidden") throw new DomainError("FORBIDDEN", "not allowed for this caller");
  };
}
