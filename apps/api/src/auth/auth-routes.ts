import { assertStorableInput } from "@agrinet/core";
import type { Db } from "@agrinet/db";
import { isStaffSignInDisabled } from "@agrinet/domain";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { AuthServer } from "./create-auth";
import { signInOperation } from "./sign-in-operation";
import { headersOf } from "./resolve-principal";

const errorCodeFor: Record<number, string> = {
  400: "VALIDATION_FAILED",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  429: "RATE_LIMITED",
};

export type AuthRoutesOptions = {
  auth: AuthServer;
  db: Db;
  signInMaxAttempts: number;
  signInWindowSeconds: number;
};

/**
 * better-auth's endpoints the admin dashboard uses, and only those: sign-in (throttled per
 * client address and email: 429 with Retry-After), sign-out and get-session. Its other endpoints
 * (api-key management, account changes) would bypass the audited procedures and their roles.
 */
export async function authRoutes(fastify: FastifyInstance, options: AuthRoutesOptions) {
  const { auth } = options;

  async function forward(request: FastifyRequest, reply: FastifyReply) {
    const url = new URL(request.url, auth.options.baseURL);
    const hasBody = request.method !== "GET" && request.method !== "HEAD" && request.body !== undefined;
    const headers = headersOf(request);
    if (hasBody) headers.set("content-type", "application/json");
    headers.delete("content-length");
    const response = await auth.handler(
      new Request(url, { method: request.method, headers, body: hasBody ? JSON.stringify(request.body) : undefined }),
    );
    reply.status(response.status);
    response.headers.forEach((value, name) => {
      if (name !== "set-cookie") reply.header(name, value);
    });
    const cookies = response.headers.getSetCookie();
    if (cookies.length) reply.header("set-cookie", cookies);
    const text = await response.text();
    if (response.status >= 400) {
      // The spec's error body, keeping better-auth's own `message`/`code` beside it so its
      // client library (the dashboard's sign-in form) still reads them.
      const original = (safeJson(text) ?? {}) as { message?: string; code?: string };
      const code =
        errorCodeFor[response.status] ?? (response.status >= 500 ? "INTERNAL" : (original.code ?? "VALIDATION_FAILED"));
      const message = original.message ?? "request refused";
      return reply.send({ ...original, message, error: { code, message } });
    }
    return reply.send(text || null);
  }

  // The app-wide @fastify/rate-limit instance (app.ts) applies this route's own, stricter limit.
  fastify.post("/api/auth/sign-in/email", {
    config: {
      openapi: signInOperation,
      rateLimit: {
        max: options.signInMaxAttempts,
        timeWindow: options.signInWindowSeconds * 1000,
        keyGenerator: (request) => {
          const email = (request.body as { email?: unknown } | undefined)?.email;
          return `${request.ip}|${typeof email === "string" ? email.trim().toLowerCase() : ""}`;
        },
      },
    },
    handler: async (request, reply) => {
      // The email is looked up below: a NUL in it must be a 400, not a failed query.
      assertStorableInput(request.body);
      const email = (request.body as { email?: unknown } | undefined)?.email;
      // A disabled member gets the same answer as a wrong password, and no session.
      if (typeof email === "string" && (await isStaffSignInDisabled({ db: options.db, email }))) {
        const message = "Invalid email or password";
        return reply.status(401).send({ message, code: "INVALID_EMAIL_OR_PASSWORD", error: { code: "UNAUTHORIZED", message } });
      }
      return forward(request, reply);
    },
  });
  fastify.post("/api/auth/sign-out", forward);
  fastify.get("/api/auth/get-session", forward);

}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
