import { randomUUID } from "node:crypto";
import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import { DomainError, errorStatus, type ErrorCode, type FieldIssue } from "@agrinet/core";
import { describeError } from "@agrinet/router";
import { TRPCError } from "@trpc/server";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fastifyPlugin from "fastify-plugin";

/** The one body every REST error has, whatever raised it. */
export type ErrorEnvelope = {
  error: { code: ErrorCode; message: string; fields: FieldIssue[]; requestId: string; details?: Record<string, unknown> };
};

export type DescribedHttpError = { status: number; envelope: ErrorEnvelope };

const codeByTrpcCode = new Map<string, ErrorCode>(
  (Object.entries(errorStatus) as [ErrorCode, (typeof errorStatus)[ErrorCode]][])
    .reverse()
    .map(([code, status]) => [status.trpc, code]),
);

/** Fastify's own 4xx (its parsers, router, limits) expressed in the domain's codes. */
function codeForFastifyError(error: FastifyError): { code: ErrorCode; message: string; fields: FieldIssue[] } | null {
  const status = error.statusCode ?? 500;
  if (status >= 500) return null;
  switch (error.code) {
    case "FST_ERR_CTP_INVALID_JSON_BODY":
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return { code: "VALIDATION_FAILED", message: "request body is not valid JSON", fields: [{ path: "(body)", message: "malformed JSON" }] };
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return { code: "PAYLOAD_TOO_LARGE", message: "request body is too large", fields: [] };
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return { code: "UNSUPPORTED_MEDIA_TYPE", message: "send the body as application/json", fields: [] };
    case "FST_ERR_MAX_PARAM_LENGTH":
    case "FST_ERR_BAD_URL":
      return { code: "VALIDATION_FAILED", message: "the URL is malformed or a path parameter is too long", fields: [{ path: "(path)", message: "malformed" }] };
  }
  if (error instanceof SyntaxError) {
    return { code: "VALIDATION_FAILED", message: "request body is not valid JSON", fields: [{ path: "(body)", message: "malformed JSON" }] };
  }
  const byStatus = (Object.entries(errorStatus) as [ErrorCode, (typeof errorStatus)[ErrorCode]][]).find(
    ([, s]) => s.http === status,
  );
  return { code: byStatus?.[0] ?? "VALIDATION_FAILED", message: error.message, fields: [] };
}

/**
 * Any thrown value → status and envelope. Domain and validation errors keep their message; a 5xx
 * says only "internal error" so nothing internal (SQL, stack, hostnames) reaches a partner.
 */
export function describeHttpError(cause: unknown, requestId: string): DescribedHttpError {
  let code: ErrorCode = "INTERNAL";
  let message: string | undefined;
  let fields: FieldIssue[] = [];
  let details: Record<string, unknown> | undefined;

  const inner = cause instanceof TRPCError && cause.cause ? cause.cause : cause;
  const described = describeError(inner);
  if (described.code !== "INTERNAL") {
    ({ code, message, fields } = described);
    details = described.details;
  } else if (cause instanceof TRPCError && cause.code !== "INTERNAL_SERVER_ERROR") {
    code = codeByTrpcCode.get(cause.code) ?? "VALIDATION_FAILED";
    message = cause.message;
  } else if (!(cause instanceof DomainError) && typeof cause === "object" && cause !== null && "statusCode" in cause) {
    const fastifyError = codeForFastifyError(cause as FastifyError);
    if (fastifyError) ({ code, message, fields } = fastifyError);
  }

  const status = errorStatus[code].http;
  return {
    status,
    envelope: {
      error: {
        code,
        message: status >= 500 ? publicMessage(code) : (message ?? code),
        fields: status >= 500 ? [] : fields,
        requestId,
        ...(details && status < 500 ? { details } : {}),
      },
    },
  };
}

function publicMessage(code: ErrorCode): string {
  return code === "INTERNAL" ? "internal error" : "service unavailable; retry later";
}

export function sendError(request: FastifyRequest, reply: FastifyReply, cause: unknown) {
  const { status, envelope } = describeHttpError(cause, request.id);
  if (status >= 500) request.log.error({ err: cause, status }, "request failed");
  // The first request with this key is usually done within a second.
  if (envelope.error.code === "IDEMPOTENCY_KEY_IN_USE") reply.header("retry-after", "1");
  // Set here too: Fastify's framework errors (bad URL) skip the onRequest hooks.
  return reply
    .code(status)
    .header("x-request-id", request.id)
    .type("application/json; charset=utf-8")
    .send(JSON.stringify(envelope));
}

/** The refusals of a callback itself (its token, its source address, its body), said in Daraja's shape. */
const darajaRefusals = new Set<ErrorCode>(["UNAUTHORIZED", "FORBIDDEN", "VALIDATION_FAILED"]);

/**
 * The error handler of Daraja's callback routes (route option `errorHandler`). Daraja reads
 * `{ ResultCode, ResultDesc }`, not the envelope: a refused callback is told in that shape, with
 * its status from the one table like every other error. Anything else (a database away, a body
 * Fastify could not parse) is the envelope, as on every route.
 */
export function darajaCallbackErrors(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof DomainError && darajaRefusals.has(error.code)) {
    request.log.warn({ code: error.code, message: error.message }, "M-Pesa callback refused");
    return reply
      .code(errorStatus[error.code].http)
      .type("application/json; charset=utf-8")
      .send(JSON.stringify({ ResultCode: 1, ResultDesc: error.message }));
  }
  return sendError(request, reply, error);
}

/**
 * Fastify answers a malformed URL or an over-long path parameter before any plugin runs; pass
 * this as the server's `frameworkErrors` option so those answers carry the envelope too.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  return sendError(request, reply, error);
}

const clientErrors: Record<string, { status: number; code: ErrorCode; message: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, code: "HEADERS_TOO_LARGE", message: "the request's headers are too large" },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, code: "REQUEST_TIMEOUT", message: "the request was not received in time" },
};

/**
 * Node's HTTP parser refuses some requests before Fastify sees them (headers over the limit,
 * unparsable request lines); pass this as the server's `clientErrorHandler` so those answers are
 * in the one envelope too. There is no request yet, so the id is made here.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Duplex) {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const known = clientErrors[error.code ?? ""] ?? { status: 400, code: "VALIDATION_FAILED" as const, message: "malformed HTTP request" };
  const requestId = randomUUID();
  const body = JSON.stringify({ error: { code: known.code, message: known.message, fields: [], requestId } });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${known.status} ${STATUS_CODES[known.status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nx-request-id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/**
 * The error and not-found handlers for every route of the API (REST bridge and plain Fastify
 * routes alike). Registered with fastify-plugin so they apply to the whole app.
 */
export const errorEnvelopePlugin = fastifyPlugin(
  async function errorEnvelope(fastify: FastifyInstance) {
    fastify.setErrorHandler((error, request, reply) => sendError(request, reply, error));
    fastify.setNotFoundHandler((request, reply) =>
      sendError(request, reply, new DomainError("NOT_FOUND", `no route ${request.method} ${request.url.split("?")[0]!.slice(0, 200)}`)),
    );
    // A callback hook: an async one costs a promise on every request for a synchronous line.
    fastify.addHook("onRequest", (request, reply, done) => {
      reply.header("x-request-id", request.id);
      done();
    });
  },
  { name: "error-envelope" },
);
