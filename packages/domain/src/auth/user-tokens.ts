import { defaultPartnerId } from "@agrinet/stores/tenancy";
import { createRemoteJWKSet, jwtVerify, SignJWT, type JWTVerifyGetKey } from "jose";

/** The audience and issuer user tokens carry unless JWT_AUDIENCE / JWT_ISSUER say otherwise. */
export const userTokenClaims = { audience: "agrinet-pay", issuer: "agrinet" } as const;

export type UserTokenVerifierOptions = {
  /** HS256 shared secret (the platform signs user tokens). */
  secret?: string;
  /** Or: asymmetric keys published by an identity provider. */
  jwksUrl?: string;
  /** `aud` a token must name (default `userTokenClaims.audience`). */
  audience?: string;
  /** `iss` a token must carry (default `userTokenClaims.issuer`). */
  issuer?: string;
};

/**
 * End-user tokens: a JWT whose `sub` is the user id and whose `partner_id` claim names the user's
 * partner (tokens without it, from before partners, are the default partner's). Returns both, or null for anything
 * that does not verify (bad signature, no or past `exp`, another audience or issuer, no subject,
 * wrong algorithm). A token without `exp` would be a password that never expires; one minted
 * for another service (other `aud`) or by another issuer must not open this one.
 */
export function createUserTokenVerifier(options: UserTokenVerifierOptions) {
  const secret = options.secret ? new TextEncoder().encode(options.secret) : null;
  const jwks: JWTVerifyGetKey | null = options.jwksUrl ? createRemoteJWKSet(new URL(options.jwksUrl)) : null;
  const claims = {
    audience: options.audience ?? userTokenClaims.audience,
    issuer: options.issuer ?? userTokenClaims.issuer,
    requiredClaims: ["exp", "sub"],
  };
  return async function verifyUserToken(token: string): Promise<VerifiedUserToken | null> {
    const attempts: Array<() => Promise<{ payload: { sub?: string; partner_id?: unknown } }>> = [];
    if (secret) attempts.push(() => jwtVerify(token, secret, { ...claims, algorithms: ["HS256"] }));
    if (jwks) attempts.push(() => jwtVerify(token, jwks, { ...claims, algorithms: ["RS256", "ES256", "EdDSA", "PS256"] }));
    for (const attempt of attempts) {
      try {
        const { payload } = await attempt();
        if (typeof payload.sub !== "string" || !payload.sub) continue;
        if (payload.partner_id === undefined) return { userId: payload.sub, partnerId: defaultPartnerId };
        if (typeof payload.partner_id === "string" && payload.partner_id) return { userId: payload.sub, partnerId: payload.partner_id };
      } catch {
        // Not valid under this key source; try the next.
      }
    }
    return null;
  };
}

export type UserTokenVerifier = ReturnType<typeof createUserTokenVerifier>;
export type VerifiedUserToken = { userId: string; partnerId: string };

/** Issues an HS256 user token (dev tooling and tests; production tokens come from the platform). */
export async function signUserToken(options: {
  secret: string;
  userId: string;
  /** The user's partner (`partner_id` claim); omitted, the token is the default partner's. */
  partnerId?: string;
  expiresIn?: string;
  audience?: string;
  issuer?: string;
}): Promise<string> {
  return new SignJWT(options.partnerId ? { partner_id: options.partnerId } : {})
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(options.userId)
    .setIssuer(options.issuer ?? userTokenClaims.issuer)
    .setAudience(options.audience ?? userTokenClaims.audience)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? "1h")
    .sign(new TextEncoder().encode(options.secret));
}
