import type { Db } from "@agrinet/db";
import { authenticatePartnerKey, authenticateStaffSession, type Auth, type UserTokenVerifier } from "@agrinet/domain";
import { partnerScopes, type PartnerScope, type Principal } from "@agrinet/router";
import type { FastifyRequest } from "fastify";

export function headersOf(request: FastifyRequest): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  return headers;
}

const jwtShape = /^[\w-]+\.[\w-]+\.[\w-]*$/;

/**
 * Whether a request carries any of the credentials resolvePrincipal reads: without them it can
 * only answer null, so the caller may skip it (and its promise) altogether.
 */
export function carriesCredentials(request: FastifyRequest): boolean {
  const { headers } = request;
  return !!(headers["x-api-key"] || headers.authorization || headers.cookie);
}

/**
 * Who is calling: an API key (x-api-key, or Authorization: Bearer with a non-JWT), an end-user
 * JWT (Bearer), or a staff session cookie. Explicit credentials win over a cookie; credentials
 * that do not verify give null (401 wherever access is required), never a weaker identity.
 */
export function createPrincipalResolver(deps: { auth: Auth; db: Db; verifyUserToken: UserTokenVerifier }) {
  async function partner(key: string): Promise<Principal | null> {
    const found = await authenticatePartnerKey({ auth: deps.auth, db: deps.db, key });
    if (!found) return null;
    const scopes = found.scopes.filter((s): s is PartnerScope => (partnerScopes as readonly string[]).includes(s));
    return { kind: "partner", keyId: found.keyId, name: found.name, scopes, partnerId: found.partnerId };
  }

  return async function resolvePrincipal(request: FastifyRequest): Promise<Principal | null> {
    const apiKey = request.headers["x-api-key"];
    if (typeof apiKey === "string" && apiKey) return partner(apiKey.trim());

    const authorization = request.headers.authorization;
    if (authorization) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
      if (!match) return null;
      const credential = match[1]!;
      if (jwtShape.test(credential)) {
        const verified = await deps.verifyUserToken(credential);
        return verified ? { kind: "user", userId: verified.userId, partnerId: verified.partnerId } : null;
      }
      return partner(credential);
    }

    if (request.headers.cookie) {
      const staff = await authenticateStaffSession({ auth: deps.auth, headers: headersOf(request) });
      return staff ? { kind: "staff", ...staff } : null;
    }
    return null;
  };
}
