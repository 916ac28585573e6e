/** What the API needs to authenticate callers; server.ts fills it from the environment. */
export type AuthSettings = {
  /** Signs staff session cookies (better-auth); at least 32 characters. */
  sessionSecret: string;
  /** Public URL of this API (cookies, better-auth callbacks). */
  baseURL: string;
  /** Origins allowed to send cookie-authenticated requests (the admin dashboard). */
  trustedOrigins: string[];
  /** HS256 secret for end-user JWTs; and/or a JWKS URL. */
  jwtSecret?: string;
  jwksUrl?: string;
  /** `aud` and `iss` end-user JWTs must carry (defaults: `userTokenClaims`). */
  jwtAudience?: string;
  jwtIssuer?: string;
  /** Sign-in attempts allowed per client address and email per window. */
  signInMaxAttempts: number;
  signInWindowSeconds: number;
};

/**
 * Dev-only values, public in this repository: env.ts refuses them when NODE_ENV=production.
 * Tests and `pnpm start` on a laptop use them so nothing needs configuring first.
 */
export const devAuthSettings: AuthSettings = {
  sessionSecret: "dev-only-better-auth-secret-change-me-0000",
  baseURL: "http://127.0.0.1:4000",
  trustedOrigins: ["http://127.0.0.1:3000", "http://localhost:3000"],
  jwtSecret: "dev-only-jwt-secret-change-me-000000000000",
  signInMaxAttempts: 5,
  signInWindowSeconds: 60,
};
