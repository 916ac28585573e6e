import type { Db } from "@agrinet/db";
import { apiKeyHeader, noteAuthLog, partnerKeyPrefix } from "@agrinet/domain";
import { apiKey } from "@better-auth/api-key";
import { betterAuth } from "better-auth";
import { prismaAdapter } from "better-auth/adapters/prisma";

export type CreateAuthOptions = {
  db: Db;
  /** Signs session cookies; at least 32 characters. */
  secret: string;
  /** Where the API is reached, e.g. http://127.0.0.1:4000 (cookies and redirects use it). */
  baseURL: string;
  /** Origins allowed to send credentialed requests (the admin dashboard). */
  trustedOrigins: string[];
  /** Where better-auth's own messages go (the API's logger); defaults to its console logger. */
  log?: (level: "debug" | "info" | "warn" | "error", message: string, ...args: unknown[]) => void;
};

/**
 * better-auth over Prisma: staff email + password sessions and partner API keys. Staff cannot
 * sign themselves up (admins create them), and partner keys carry no per-key quota here: rate
 * limits on partner traffic belong to the API edge, not to key validation.
 */
export function createAuth(options: CreateAuthOptions) {
  return betterAuth({
    database: prismaAdapter(options.db, { provider: "postgresql", transaction: true }),
    secret: options.secret,
    baseURL: options.baseURL,
    basePath: "/api/auth",
    trustedOrigins: options.trustedOrigins,
    telemetry: { enabled: false },
    logger: {
      log(level, message, ...args) {
        noteAuthLog(level, args);
        if (options.log) options.log(level, message, ...args);
        else if (level === "error" || level === "warn") console[level](message, ...args);
      },
    },
    // Sign-in throttling is done by the API (429 + Retry-After) so it has one implementation.
    rateLimit: { enabled: false },
    emailAndPassword: { enabled: true, disableSignUp: true, minPasswordLength: 10 },
    user: {
      modelName: "staffUser",
      additionalFields: {
        role: { type: "string", required: true, defaultValue: "viewer", input: false },
        disabledAt: { type: "date", required: false, input: false },
      },
    },
    session: { modelName: "staffSession", expiresIn: 60 * 60 * 12, updateAge: 60 * 60 },
    account: { modelName: "staffAccount" },
    verification: { modelName: "authVerification" },
    advanced: {
      cookiePrefix: "agrinet",
      defaultCookieAttributes: { httpOnly: true, sameSite: "lax" },
    },
    plugins: [
      apiKey({
        apiKeyHeaders: apiKeyHeader,
        defaultPrefix: partnerKeyPrefix,
        rateLimit: { enabled: false },
        schema: { apikey: { modelName: "apiKey" } },
      }),
    ],
  });
}

/** The configured server: its handler serves the dashboard's sign-in; domain functions take it as `Auth`. */
export type AuthServer = ReturnType<typeof createAuth>;
