import type { Principal } from "@agrinet/router";
import type { FastifyRequest } from "fastify";

export type ResolvePrincipal = (request: FastifyRequest) => Principal | null | Promise<Principal | null>;

/**
 * The one place a request's caller is resolved, for tRPC, REST and SSE alike.
 * TODO(access-control issue): sessions, API keys and JWTs; until then nobody is authenticated.
 */
export const principalFromRequest: ResolvePrincipal = () => null;
