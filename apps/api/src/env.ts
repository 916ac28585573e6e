import { envVars, isSupportedCurrency, loadEnvOrExit, maxMinorUnits, paymentsEnvShape, type CurrencyCode } from "@agrinet/core";
import { userTokenClaims } from "@agrinet/domain";
import { z } from "zod";
import { devAuthSettings, type AuthSettings } from "./auth/settings";

export const apiEnvShape = {
  NODE_ENV: z.string().default("development"),
  DATABASE_URL: envVars.databaseUrl.unwrap(),
  /** A replica for dashboard lists, reports and exports (e.g. the cluster's HAProxy read port). */
  DATABASE_READ_URL: envVars.databaseUrl,
  API_HOST: z.string().default("127.0.0.1"),
  API_PORT: envVars.port(4000),
  LOG_LEVEL: envVars.logLevel,
  /** Seconds in-flight requests get to finish on SIGTERM before the process exits anyway. */
  SHUTDOWN_GRACE_SECONDS: envVars.positiveInt(10),
  ...paymentsEnvShape,
  /** Partner keys with deposits:write may also confirm and fail deposits. */
  DEPOSITS_PARTNER_CONFIRM: z
    .enum(["true", "false"], { message: "expected true or false" })
    .default("false")
    .transform((value) => value === "true"),
  /** Where uploaded receipts are stored (by content hash). */
  UPLOADS_DIR: z.string().min(1).default("./uploads"),
  /** Signs staff session cookies. */
  BETTER_AUTH_SECRET: z
    .string()
    .min(32, "expected at least 32 characters")
    .default(devAuthSettings.sessionSecret),
  /** This API's public URL (defaults to http://API_HOST:API_PORT). */
  BETTER_AUTH_URL: envVars.url.optional(),
  /** Comma-separated origins allowed to use staff cookies (the admin dashboard). */
  AUTH_TRUSTED_ORIGINS: z
    .string()
    .default(devAuthSettings.trustedOrigins.join(","))
    .transform((s) => s.split(",").map((o) => o.trim()).filter(Boolean)),
  /** HS256 secret for end-user JWTs (sub = user id). */
  JWT_SECRET: z.string().min(32, "expected at least 32 characters").optional(),
  /** Or a JWKS URL whose keys sign end-user JWTs. */
  JWKS_URL: envVars.url.optional(),
  /** The `aud` every end-user JWT must carry. */
  JWT_AUDIENCE: z.string().min(1).default(userTokenClaims.audience),
  /** The `iss` every end-user JWT must carry. */
  JWT_ISSUER: z.string().min(1).default(userTokenClaims.issuer),
  SIGN_IN_MAX_ATTEMPTS: envVars.positiveInt(devAuthSettings.signInMaxAttempts),
  SIGN_IN_WINDOW_SECONDS: envVars.positiveInt(devAuthSettings.signInWindowSeconds),
  /** Partner web origins allowed by CORS, comma-separated (`https://app.example.org,...`). */
  CORS_ORIGINS: z
    .string()
    .default("")
    .transform((value) => value.split(",").map((origin) => origin.trim()).filter(Boolean))
    .pipe(z.array(z.url({ message: "expected comma-separated origins like https://app.example.org" }))),
  /**
   * Comma-separated addresses or CIDRs of proxies in front of the API (the admin dashboard's
   * server, a load balancer) whose X-Forwarded-For gives the client's address; none by default.
   */
  TRUSTED_PROXIES: z
    .string()
    .default("")
    .transform((value) => value.split(",").map((entry) => entry.trim()).filter(Boolean)),
  /**
   * What each partner's payouts created on one UTC day may take, per currency, in minor units:
   * `KES:100000000,TZS:5000000000`. A currency left out has no cap; staff set a partner's own
   * (PATCH /admin/partners/{partnerId}), which wins. Above it: 422 LIMIT_EXCEEDED, nothing held.
   */
  PARTNER_DAILY_PAYOUT_CAP: z
    .string()
    .default("")
    .transform((value, ctx) => {
      const caps: Partial<Record<CurrencyCode, bigint>> = {};
      for (const entry of value.split(",").map((part) => part.trim()).filter(Boolean)) {
        const match = /^([A-Z]{3}):(\d{1,19})$/.exec(entry);
        const currency = match?.[1];
        if (!match || !currency || !isSupportedCurrency(currency) || BigInt(match[2]!) > maxMinorUnits || currency in caps) {
          ctx.addIssue({ code: "custom", message: "expected comma-separated CURRENCY:minor-units pairs such as KES:100000000,TZS:5000000000, each currency once" });
          return z.NEVER;
        }
        caps[currency] = BigInt(match[2]!);
      }
      return caps;
    }),
  /** Requests per minute per partner (all its keys), staff member or end user; unverified: per IP. */
  RATE_LIMIT_PER_MINUTE: envVars.positiveInt(600),
  /** Largest REST request body, in bytes; larger → 413. */
  REST_BODY_LIMIT_BYTES: envVars.positiveInt(64 * 1024),
  /** When set, /metrics on the API port answers only `Authorization: Bearer <token>`. */
  METRICS_TOKEN: z.string().min(16, "expected at least 16 characters").optional(),
  /** When set, /metrics is also served without a token on this internal port (METRICS_HOST). */
  METRICS_PORT: z.coerce
    .number({ message: "expected a TCP port number" })
    .int("expected a whole number")
    .min(1, "expected a port between 1 and 65535")
    .max(65535, "expected a port between 1 and 65535")
    .optional(),
  METRICS_HOST: z.string().default("127.0.0.1"),
  /** Comment lines on idle notification streams, so proxies keep them open. */
  SSE_HEARTBEAT_SECONDS: envVars.positiveInt(15),
  /** Open notification streams one credential may hold per API process; more → 429. */
  SSE_MAX_STREAMS_PER_CALLER: envVars.positiveInt(10),
};

export type ApiEnv = z.infer<z.ZodObject<typeof apiEnvShape>>;

/** Settings that are fine on a laptop and dangerous anywhere real: one line each. */
export function productionEnvProblems(env: Pick<ApiEnv, "NODE_ENV" | "BETTER_AUTH_SECRET" | "JWT_SECRET">): string[] {
  if (env.NODE_ENV !== "production") return [];
  const problems: string[] = [];
  if (env.BETTER_AUTH_SECRET === devAuthSettings.sessionSecret) {
    problems.push("invalid environment variable BETTER_AUTH_SECRET: set a secret of your own in production");
  }
  // The dev secret is in this repository: anyone could mint any user's token with it.
  if (env.JWT_SECRET === devAuthSettings.jwtSecret) {
    problems.push("invalid environment variable JWT_SECRET: set a secret of your own in production");
  }
  return problems;
}

export function loadApiEnv(): ApiEnv {
  const env = loadEnvOrExit("api", apiEnvShape, process.env);
  const problems = productionEnvProblems(env);
  if (problems.length > 0) {
    for (const problem of problems) process.stderr.write(`api: ${problem}\n`);
    process.exit(78);
  }
  return env;
}

/** User tokens: JWT_SECRET and/or JWKS_URL; without either, the dev secret (not in production). */
export function authSettingsFromEnv(env: ApiEnv): AuthSettings {
  const jwtSecret = env.JWT_SECRET ?? (env.JWKS_URL || env.NODE_ENV === "production" ? undefined : devAuthSettings.jwtSecret);
  return {
    sessionSecret: env.BETTER_AUTH_SECRET,
    baseURL: env.BETTER_AUTH_URL ?? `http://${env.API_HOST}:${env.API_PORT}`,
    trustedOrigins: env.AUTH_TRUSTED_ORIGINS,
    jwtSecret,
    jwksUrl: env.JWKS_URL,
    jwtAudience: env.JWT_AUDIENCE,
    jwtIssuer: env.JWT_ISSUER,
    signInMaxAttempts: env.SIGN_IN_MAX_ATTEMPTS,
    signInWindowSeconds: env.SIGN_IN_WINDOW_SECONDS,
  };
}
