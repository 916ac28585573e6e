import { errorStatus, type ErrorCode } from "@agrinet/core";
import type { Db } from "@agrinet/db";
import { TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { describeHttpError } from "./error-envelope";
import { createIdempotentRequests, idempotencyKeyHeader, type IdempotentRun } from "./idempotency";

/**
 * `Idempotency-Key` on tRPC mutations (POST /trpc/...), with the REST bridge's implementation:
 * same table, same scope per caller, same rule for what is stored. Registered in the scope that
 * serves /trpc; the stored answer is tRPC's own response bytes (single or batched call).
 */
export function trpcIdempotency(fastify: FastifyInstance, options: { db: Db }) {
  const idempotentRequests = createIdempotentRequests(options.db, fastify.log);
  const runs = new WeakMap<FastifyRequest, IdempotentRun>();
  fastify.addHook("onClose", () => idempotentRequests.close());

  fastify.addHook("preHandler", async (request, reply) => {
    const key = idempotencyKeyHeader(request.headers["idempotency-key"]);
    if (request.method !== "POST" || key === undefined) return;
    let started;
    try {
      started = await idempotentRequests.start({
        principal: request.principal,
        key,
        method: request.method,
        url: request.url,
        body: request.body,
      });
    } catch (error) {
      return sendTrpcError(request, reply, error);
    }
    if (started?.kind === "replay") {
      return reply
        .code(started.status)
        .header("idempotent-replayed", "true")
        .type("application/json; charset=utf-8")
        .send(started.body);
    }
    if (started) runs.set(request, started.run);
  });

  fastify.addHook("onSend", async (request, reply, payload) => {
    const run = runs.get(request);
    if (!run) return payload;
    runs.delete(request);
    // tRPC's adapter sends a fetch Response: read it here so its bytes can be stored and replayed.
    if (payload instanceof Response && payload.headers.get("content-type")?.startsWith("application/json")) {
      const body = await payload.text();
      reply.code(payload.status);
      payload.headers.forEach((value, name) => reply.header(name, value));
      await run.finish(payload.status, body, payload.status >= 400 ? trpcErrorCode(body) : undefined);
      return body;
    }
    // A streamed answer (jsonl batch) cannot be replayed byte for byte: the key is freed instead.
    await run.finish(500, "", undefined);
    return payload;
  });
}

/** Our error formatter puts the domain's code in `error.data.code` (a batch: the first error's). */
function trpcErrorCode(payload: string): ErrorCode | undefined {
  try {
    const parsed = JSON.parse(payload) as unknown;
    const items = Array.isArray(parsed) ? parsed : [parsed];
    for (const item of items) {
      const code = (item as { error?: { data?: { code?: ErrorCode } } })?.error?.data?.code;
      if (code) return code;
    }
  } catch {
    // not JSON: treated as an answer without a code
  }
  return undefined;
}

/**
 * A refused key (reused, in use, malformed) in tRPC's error shape, so a tRPC client reads it as
 * it reads any other error: `error.data.code` is the domain's code, one entry per batched call.
 */
function sendTrpcError(request: FastifyRequest, reply: FastifyReply, cause: unknown) {
  const { status, envelope } = describeHttpError(cause, request.id);
  const { code, message, fields, requestId } = envelope.error;
  const shape = {
    error: {
      message,
      code: TRPC_ERROR_CODES_BY_KEY[errorStatus[code].trpc],
      data: { code, httpStatus: status, fields, requestId },
    },
  };
  const batched = (request.query as Record<string, unknown> | undefined)?.batch === "1";
  const calls = batched ? (request.params as { path?: string }).path?.split(",").length ?? 1 : 1;
  if (code === "IDEMPOTENCY_KEY_IN_USE") reply.header("retry-after", "1");
  return reply
    .code(status)
    .type("application/json; charset=utf-8")
    .send(JSON.stringify(batched ? Array.from({ length: calls }, () => shape) : shape));
}
