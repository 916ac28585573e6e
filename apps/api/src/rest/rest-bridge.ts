import { DomainError, type ErrorCode } from "@agrinet/core";
import type { Db } from "@agrinet/db";
import { procedureInvoker, rejectUnknownKeys, type Context, type ProcedureInvoker } from "@agrinet/router";
import type { AnyTRPCRouter } from "@trpc/server";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { describeHttpError } from "./error-envelope";
import { createIdempotentRequests, idempotencyKeyHeader, validateIdempotencyKey, type IdempotentRun } from "./idempotency";
import { listRestRoutes, type RestRoute } from "./rest-routes";

export type RestBridgeOptions = {
  router: AnyTRPCRouter;
  db: Db;
  createContext: (request: FastifyRequest) => Promise<Context> | Context;
  /** Largest JSON body accepted, in bytes; larger → 413. */
  bodyLimit: number;
};

const bodyMethods = new Set(["POST", "PUT", "PATCH"]);

/**
 * Serves every procedure that declares `meta.openapi` at its REST path. Input is assembled from
 * path parameters plus the query string (GET, DELETE) or the JSON body; the procedure's own zod
 * schemas validate it, so REST and tRPC can never disagree. Every answer, success or error, is
 * written here as a string so an idempotent replay can return the very same bytes.
 */
export async function restBridge(fastify: FastifyInstance, options: RestBridgeOptions) {
  const { router, db, createContext, bodyLimit } = options;
  const idempotentRequests = createIdempotentRequests(db, fastify.log);
  fastify.addHook("onClose", () => idempotentRequests.close());

  // `curl -H 'Content-Type: application/json' -X POST /admin/payouts/run` sends no body at all:
  // that is "no input", not malformed JSON. Everything else parses as Fastify's default does
  // (prototype-poisoning keys refused).
  const parseJson = fastify.getDefaultJsonParser("error", "error");
  fastify.removeContentTypeParser("application/json");
  fastify.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    if (body === "") return done(null, undefined);
    return parseJson(request, body as string, done);
  });

  for (const route of listRestRoutes(router)) {
    // Resolved once: a request runs the procedure's middleware chain, nothing looked up per call.
    const invoke = procedureInvoker(router, route.procedurePath);
    for (const url of [route.fastifyPath, ...route.formerFastifyPaths]) {
      fastify.route({
        method: route.method,
        url,
        bodyLimit,
        config: { formerPath: url !== route.fastifyPath },
        handler: (request, reply) => handle(route, invoke, request, reply),
      });
    }
  }

  async function handle(route: RestRoute, invoke: ProcedureInvoker, request: FastifyRequest, reply: FastifyReply) {
    const hasBody = bodyMethods.has(route.method) && request.body !== undefined;
    if (hasBody && !isJson(request.headers["content-type"])) {
      throw new DomainError("UNSUPPORTED_MEDIA_TYPE", "send the body as application/json");
    }
    const input = assembleInput(route, request);
    const ctx = await createContext(request);

    const key = idempotencyKeyHeader(request.headers["idempotency-key"]);
    let run: IdempotentRun | undefined;
    if (route.method === "POST" && key !== undefined) {
      validateIdempotencyKey(key);
      if (route.idempotencyKeyField) useKeyAsField(route.idempotencyKeyField, key, input as Record<string, unknown>);
      const started = await idempotentRequests.start({
        principal: ctx.principal,
        key,
        method: route.method,
        url: request.url,
        body: request.body,
      });
      if (started?.kind === "replay") {
        return reply
          .code(started.status)
          .header("idempotent-replayed", "true")
          .type("application/json; charset=utf-8")
          .send(started.body);
      }
      run = started?.run;
    }

    let status: number;
    let body: string;
    let errorCode: ErrorCode | undefined;
    try {
      const output = await invoke(ctx, input);
      status = 200;
      body = JSON.stringify(output ?? null);
    } catch (error) {
      const described = describeHttpError(error, request.id);
      if (described.status >= 500) request.log.error({ err: error, procedure: route.procedurePath, status: described.status }, "procedure failed");
      status = described.status;
      errorCode = described.envelope.error.code;
      body = JSON.stringify(described.envelope);
    }

    // The procedure's answer stands even if the key's bookkeeping fails (the database too busy
    // now): answering 503 for a payout that was committed would invite a retry that re-runs it.
    await run?.finish(status, body, errorCode);
    return reply.code(status).type("application/json; charset=utf-8").send(body);
  }
}

/**
 * The Idempotency-Key becomes the operation's own idempotency field (a payout's `reference`)
 * when the body leaves it out; a body that names a different one is ambiguous, so refused.
 */
function useKeyAsField(field: NonNullable<RestRoute["idempotencyKeyField"]>, key: string, input: Record<string, unknown>) {
  const given = input[field.name];
  if (given === undefined) {
    if (!field.schema.safeParse(key).success) {
      throw new DomainError("VALIDATION_FAILED", `Idempotency-Key: not usable as the ${field.name}; send a ${field.name} in the body`, {
        fields: [{ path: "Idempotency-Key", message: `not a valid ${field.name}` }],
      });
    }
    input[field.name] = key;
  } else if (given !== key) {
    throw new DomainError(
      "VALIDATION_FAILED",
      `${field.name}: differs from the Idempotency-Key header; send the same value in both, or only one of them`,
      { fields: [{ path: field.name, message: "differs from the Idempotency-Key header" }] },
    );
  }
}

function isJson(contentType: string | undefined): boolean {
  const mediaType = contentType?.split(";")[0]?.trim().toLowerCase();
  return mediaType === "application/json";
}

/** `?to=1&to=2` would otherwise reach a coerced field as "1,2": which one the caller meant is unknowable. */
function rejectRepeatedParameters(query: Record<string, unknown>) {
  const repeated = Object.keys(query).filter((name) => Array.isArray(query[name]));
  if (repeated.length === 0) return;
  throw new DomainError("VALIDATION_FAILED", repeated.map((name) => `${name}: given more than once`).join("; "), {
    fields: repeated.map((name) => ({ path: name, message: "query parameter given more than once" })),
  });
}

function rejectQueryParameters(query: Record<string, unknown> | undefined, why: string) {
  const names = Object.keys(query ?? {});
  if (names.length === 0) return;
  throw new DomainError("VALIDATION_FAILED", `${names.map((name) => `${name}: unknown query parameter`).join("; ")} (${why})`, {
    fields: names.map((name) => ({ path: name, message: "unknown query parameter" })),
  });
}

function assembleInput(route: RestRoute, request: FastifyRequest): unknown {
  if (!route.takesInput) {
    rejectQueryParameters(request.query as Record<string, unknown>, "this operation takes no input");
    const body = request.body;
    if (body !== undefined && body !== null && typeof body === "object" && !Array.isArray(body)) {
      rejectUnknownKeys([z.object({})], body);
    }
    return undefined;
  }
  const fromPath = request.params as Record<string, string>;
  let rest: unknown;
  if (bodyMethods.has(route.method)) {
    rest = request.body ?? {};
    if (typeof rest !== "object" || rest === null || Array.isArray(rest)) {
      throw new DomainError("VALIDATION_FAILED", "the request body must be a JSON object", {
        fields: [{ path: "(body)", message: "expected a JSON object" }],
      });
    }
    rejectQueryParameters(request.query as Record<string, unknown>, "this operation takes its input from the JSON body");
  } else {
    rest = request.query ?? {};
    rejectRepeatedParameters(rest as Record<string, unknown>);
  }
  // Path parameters win: a body cannot redirect the call to another resource.
  return { ...(rest as Record<string, unknown>), ...fromPath };
}
