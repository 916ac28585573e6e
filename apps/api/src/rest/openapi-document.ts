import { errorStatus, type ErrorCode } from "@agrinet/core";
import type { Access } from "@agrinet/router";
import type { AnyTRPCRouter } from "@trpc/server";
import { generateOpenApiDocument, type OpenAPIObject, type OpenApiRouter } from "trpc-to-openapi";
import { listRestRoutes, type RestRoute } from "./rest-routes";

type Operation = Record<string, unknown> & { responses?: Record<string, unknown>; parameters?: unknown[] };

/** A plain Fastify route's OpenAPI operation, given in the route's `config.openapi`. */
export type PlainRouteOperation = { method: string; path: string; operation: Record<string, unknown> };

/** How callers prove who they are; which ones an operation takes follows from its `access`. */
export const securitySchemes = {
  partnerApiKey: {
    type: "http",
    scheme: "bearer",
    bearerFormat: "API key",
    description: "Partner API key as `Authorization: Bearer <key>`.",
  },
  partnerApiKeyHeader: {
    type: "apiKey",
    in: "header",
    name: "x-api-key",
    description: "Partner API key in the `x-api-key` header (same keys as the bearer scheme).",
  },
  staffSession: {
    type: "apiKey",
    in: "cookie",
    name: "agrinet.session_token",
    description: "Dashboard session cookie, set by `POST /api/auth/sign-in/email`.",
  },
  userJwt: {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "End-user token; a user acts only on their own data (`userId`).",
  },
} as const;

export function securityFor(access: Access): Record<string, string[]>[] {
  const requirements: Record<string, string[]>[] = [];
  if (access.partner?.length) requirements.push({ partnerApiKey: [] }, { partnerApiKeyHeader: [] });
  if (access.staff?.length) requirements.push({ staffSession: [] });
  if (access.user) requirements.push({ userJwt: [] });
  return requirements;
}

/** One reusable response per HTTP error status, listing the codes that produce it. */
const errorResponseNames: Record<number, string> = {
  400: "BadRequest",
  401: "Unauthorized",
  402: "PaymentRequired",
  403: "Forbidden",
  404: "NotFound",
  409: "Conflict",
  413: "PayloadTooLarge",
  415: "UnsupportedMediaType",
  422: "UnprocessableContent",
  429: "TooManyRequests",
  431: "RequestHeaderFieldsTooLarge",
  500: "InternalError",
  503: "ServiceUnavailable",
};

const errorDescriptions: Record<number, string> = {
  400: "Validation failed (missing or malformed fields, amount below minimum, malformed JSON).",
  401: "Missing or invalid credentials.",
  402: "Payment declined (e.g. by Stripe); retry with another payment method.",
  403: "The credentials do not allow this operation.",
  404: "No such resource or route.",
  409: "Conflict: duplicate reference, invalid state, or an Idempotency-Key reused with another body or still in progress.",
  413: "The request body is larger than allowed.",
  415: "The body is not application/json.",
  422: "A partner limit refuses the amount (LIMIT_EXCEEDED: the daily payout cap); `details` names the limit, the currency, the cap and what remains today. Nothing was held.",
  429: "Too many requests for this credential; wait `Retry-After` seconds.",
  431: "The request's headers (cookies included) are larger than the server accepts.",
  500: "Unexpected failure; nothing internal is revealed. Quote the requestId to support.",
  503: "A dependency (database, payout worker) is unavailable; retry later.",
};

function codesFor(status: number): ErrorCode[] {
  return (Object.keys(errorStatus) as ErrorCode[]).filter((code) => errorStatus[code].http === status);
}

function errorComponents() {
  const responses: Record<string, unknown> = {};
  for (const [status, name] of Object.entries(errorResponseNames)) {
    const codes = codesFor(Number(status));
    responses[name] = {
      description: errorDescriptions[Number(status)],
      headers: {
        ...commonHeaders(status === "429" || status === "431" || status === "413" ? "always" : "limited"),
        ...(status === "429" ? { "Retry-After": { $ref: "#/components/headers/RetryAfter" } } : {}),
        ...(status === "409" ? { "Retry-After": { $ref: "#/components/headers/RetryAfter" } } : {}),
      },
      content: {
        "application/json": {
          schema: { $ref: "#/components/schemas/ErrorEnvelope" },
          example: {
            error: {
              code: codes[0],
              message: Number(status) >= 500 ? "internal error" : errorDescriptions[Number(status)],
              fields: status === "400" ? [{ path: "amount", message: "amount must be greater than zero" }] : [],
              requestId: "6f1c2a4e-8d3b-4b7a-9c1e-2f5d8a7b9c0d",
            },
          },
        },
      },
    };
  }
  return {
    schemas: {
      ErrorEnvelope: {
        type: "object",
        required: ["error"],
        properties: {
          error: {
            type: "object",
            required: ["code", "message", "fields", "requestId"],
            properties: {
              code: { type: "string", enum: Object.keys(errorStatus), description: "Stable error code." },
              message: { type: "string" },
              fields: {
                type: "array",
                description: "One entry per invalid field (`(body)` for the body as a whole).",
                items: {
                  type: "object",
                  required: ["path", "message"],
                  properties: { path: { type: "string" }, message: { type: "string" } },
                },
              },
              requestId: { type: "string", description: "Also in the `x-request-id` response header." },
              details: { type: "object", description: "Safe extra facts, e.g. the existing deposit id on a duplicate." },
            },
          },
        },
      },
    },
    responses,
  };
}

/** Headers every answer may carry, as reusable components. */
const headerComponents = {
  XRequestId: {
    description: "This request's id (the caller's `x-request-id` if it sent one); also `requestId` in error bodies.",
    schema: { type: "string" },
  },
  XRateLimitLimit: { description: "Requests allowed per minute for this credential (or address).", schema: { type: "integer", minimum: 0 } },
  XRateLimitRemaining: { description: "Requests left in the current minute.", schema: { type: "integer", minimum: 0 } },
  XRateLimitReset: { description: "Seconds until the current minute's count resets.", schema: { type: "integer", minimum: 0 } },
  RetryAfter: { description: "Seconds to wait before retrying.", schema: { type: "integer", minimum: 0 } },
  IdempotentReplayed: {
    description: "`true` when this is the stored response of an earlier request with the same Idempotency-Key.",
    schema: { type: "string", enum: ["true"] },
  },
};

/**
 * `x-request-id` on every answer; the rate-limit headers on those that went through the limiter
 * (all but answers given before it ran: 413, 431 and malformed URLs).
 */
function commonHeaders(kind: "limited" | "always"): Record<string, { $ref: string }> {
  const ref = (name: keyof typeof headerComponents) => ({ $ref: `#/components/headers/${name}` });
  if (kind === "always") return { "x-request-id": ref("XRequestId") };
  return {
    "x-request-id": ref("XRequestId"),
    "x-ratelimit-limit": ref("XRateLimitLimit"),
    "x-ratelimit-remaining": ref("XRateLimitRemaining"),
    "x-ratelimit-reset": ref("XRateLimitReset"),
  };
}

/** What plain Fastify routes may add to their `config.openapi` beyond an OpenAPI operation. */
export type PlainOperationExtras = {
  /** The route's access rule: gives the operation its security and its 401/403 answers. */
  access?: Access;
  /** Error statuses the route answers with, in the one envelope. */
  errorStatuses?: number[];
};

function errorStatusesFor(route: RestRoute): number[] {
  const statuses = new Set<number>([400, 429, 431, 500, 503]);
  if (route.meta.openapi.protect ?? !route.meta.access.public) {
    statuses.add(401);
    statuses.add(403);
  }
  if (route.pathParameters.length) statuses.add(404);
  if (route.method === "POST") statuses.add(409);
  if (["POST", "PUT", "PATCH"].includes(route.method)) {
    statuses.add(413);
    statuses.add(415);
  }
  for (const code of route.meta.openapi.errors ?? []) statuses.add(errorStatus[code].http);
  return [...statuses].sort();
}

function errorRefs(statuses: number[]) {
  return Object.fromEntries(
    statuses.map((status) => [String(status), { $ref: `#/components/responses/${errorResponseNames[status]}` }]),
  );
}

const tagDescriptions: Record<string, string> = {
  auth: "Staff sign-in, staff members and partner keys.",
  deposits: "Money coming in: M-Pesa, bank, cash and card (Stripe) deposits.",
  payouts: "Money going out to producers: payouts, payout runs, bank batches.",
  contracts: "Escrowed contracts between buyers and producers.",
  ratings: "LBTAS ratings and reputations.",
  disputes: "Disputes raised over contracts.",
  ledger: "The double-entry ledger: accounts, balances and history.",
  transactions: "Ledger transactions as a caller sees them.",
  balances: "Account balances.",
  notifications: "Notifications, listed or streamed live.",
  settlements: "Settlement summaries and trends.",
  webhooks: "Partner webhook endpoints and deliveries.",
  system: "Service status and overview.",
  health: "Liveness and readiness probes.",
  meta: "This document.",
  receipts: "Deposit receipts (uploads).",
  payments: "Payment providers' callbacks and webhooks.",
  examples: "Examples (tests only).",
};

const idempotencyKeyParameter = {
  name: "Idempotency-Key",
  in: "header",
  required: false,
  description:
    "Makes a retry safe: the same key with the same body within 24 h replays the first response " +
    "(status and body, with `Idempotent-Replayed: true`); another body → 409 IDEMPOTENCY_KEY_REUSED; " +
    "while the first is still running → 409 IDEMPOTENCY_KEY_IN_USE (retry shortly). Keys are per credential.",
  schema: { type: "string", minLength: 1, maxLength: 255, pattern: "^[\\x21-\\x7e]+$" },
};

/**
 * The OpenAPI document of everything the API serves over HTTP: trpc-to-openapi and zod-openapi
 * turn each procedure's metadata and zod schemas into operations, then this adds what they cannot
 * know: security from `access`, the error envelope for every error status, the Idempotency-Key
 * header, the spec's examples, and the plain Fastify routes that declare `config.openapi`.
 */
export function buildOpenApiDocument(options: {
  router: AnyTRPCRouter;
  plainRoutes: PlainRouteOperation[];
  version: string;
}): OpenAPIObject {
  const routes = listRestRoutes(options.router);
  const document = generateOpenApiDocument(options.router as unknown as OpenApiRouter, {
    title: "Agrinet Pay API",
    description:
      "Deposits, payouts, the ledger and ratings for partner apps. The spec's paths are served at the root; " +
      "everything else under /api/v1. Amounts are integers in minor units: send a JSON integer or a string of " +
      "digits, receive a string. Every error has the same envelope.",
    version: options.version,
    baseUrl: "/",
    securitySchemes: securitySchemes as unknown as Record<string, never>,
  });

  const paths = (document.paths ?? {}) as Record<string, Record<string, Operation>>;
  for (const route of routes) {
    const operation = paths[route.openapiPath]?.[route.method.toLowerCase()];
    if (!operation) throw new Error(`${route.procedurePath}: missing from the generated document`);
    const success = operation.responses?.["200"] as { content?: Record<string, Record<string, unknown>> } | undefined;
    operation.operationId = route.procedurePath.replace(/\./g, "_");
    operation.description ??= route.meta.description;
    const security = securityFor(route.meta.access);
    operation.security = route.meta.openapi.protect === false || route.meta.access.public ? [] : security;
    operation.responses = { "200": success, ...errorRefs(errorStatusesFor(route)) };
    (success as Record<string, unknown>).headers = {
      ...commonHeaders("limited"),
      ...(route.method === "POST" ? { "Idempotent-Replayed": { $ref: "#/components/headers/IdempotentReplayed" } } : {}),
    };
    if (route.method === "POST") operation.parameters = [...(operation.parameters ?? []), idempotencyKeyParameter];
    const example = route.meta.openapi.example;
    const requestContent = (operation.requestBody as { content?: Record<string, Record<string, unknown>> } | undefined)
      ?.content?.["application/json"];
    if (example?.request !== undefined && requestContent) requestContent.example = example.request;
    if (example?.response !== undefined && success?.content?.["application/json"]) {
      success.content["application/json"].example = example.response;
    }
  }

  for (const plain of options.plainRoutes) {
    const path = plain.path.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
    const { access, errorStatuses = [], ...operation } = plain.operation as Operation & PlainOperationExtras;
    const given = (operation.responses ?? {}) as Record<string, Record<string, unknown>>;
    const statuses = new Set([...errorStatuses, 429, 431, 500]);
    if (access && !access.public) {
      operation.security = securityFor(access);
      statuses.add(401);
      statuses.add(403);
    }
    const responses: Record<string, unknown> = {};
    for (const [status, response] of Object.entries(given)) {
      responses[status] = response.$ref
        ? response
        : { ...response, headers: { ...commonHeaders("limited"), ...(response.headers as object) } };
    }
    paths[path] ??= {};
    paths[path][plain.method.toLowerCase()] = {
      ...operation,
      responses: { ...responses, ...errorRefs([...statuses].filter((status) => !given[status]).sort()) },
    };
  }
  document.paths = paths as OpenAPIObject["paths"];

  // trpc-to-openapi's own error shapes are replaced by the envelope above.
  const components = (document.components ?? {}) as Record<string, Record<string, unknown>>;
  for (const name of Object.keys(components.schemas ?? {})) {
    if (name.startsWith("error.")) delete components.schemas![name];
  }
  const envelope = errorComponents();
  components.schemas = { ...components.schemas, ...envelope.schemas };
  components.responses = { ...components.responses, ...envelope.responses };
  components.headers = { ...components.headers, ...headerComponents };
  document.components = components;
  const tagNames = new Set([
    ...routes.flatMap((route) => route.meta.openapi.tags ?? []),
    ...options.plainRoutes.flatMap((plain) => (plain.operation.tags as string[] | undefined) ?? []),
  ]);
  document.tags = [...tagNames].map((name) => ({ name, description: tagDescriptions[name] ?? `Operations on ${name}.` }));
  document.info = { ...document.info, license: { name: "Proprietary", url: "https://agrinet.example/terms" } };
  return document;
}
