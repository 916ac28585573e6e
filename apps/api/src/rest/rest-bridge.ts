import { DomainError } from "@agrinet/core";
import type { Db } from "@agrinet/db";
import { createCallerFactory, type Context } from "@agrinet/router";
import type { AnyTRPCRouter } from "@trpc/server";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { describeHttpError } from "./error-envelope";
import {
  claimIdempotencyKey,
  idempotencyScope,
  releaseIdempotencyKey,
  requestFingerprint,
  storeIdempotentResponse,
  validateIdempotencyKey,
} from "./idempotency";
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
  const createCaller = createCallerFactory(router);

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
    fastify.route({
      method: route.method,
      url: route.fastifyPath,
      bodyLimit,
      handler: (request, reply) => handle(route, request, reply),
    });
  }

  async function handle(route: RestRoute, request: FastifyRequest, reply: FastifyReply) {
    const hasBody = bodyMethods.has(route.method) && request.body !== undefined;
    if (hasBody && !isJson(request.headers["content-type"])) {
      throw new DomainError("UNSUPPORTED_MEDIA_TYPE", "send the body as application/json");
    }
    const input = assembleInput(route, request);
    const ctx = await createContext(request);

    const idempotencyKey = request.headers["idempotency-key"];
    let claimId: bigint | undefined;
    if (route.method === "POST" && idempotencyKey !== undefined) {
      const key = Array.isArray(idempotencyKey) ? idempotencyKey.join(",") : idempotencyKey;
      validateIdempotencyKey(key);
      const claim = await claimIdempotencyKey(db, {
        scope: idempotencyScope(ctx.principal),
        key,
        fingerprint: requestFingerprint(route.method, request.url, request.body),
        method: route.method,
        path: request.url.slice(0, 2000),
      });
      if (claim.kind === "replay") {
        return reply
          .code(claim.status)
          .header("idempotent-replayed", "true")
          .type("application/json; charset=utf-8")
          .send(claim.body);
      }
      claimId = claim.id;
    }

    let status: number;
    let body: string;
    try {
      const caller = createCaller(ctx) as unknown as Record<string, unknown>;
      const call = route.procedurePath
        .split(".")
        .reduce<unknown>((node, segment) => (node as Record<string, unknown>)[segment], caller) as (
        input: unknown,
      ) => Promise<unknown>;
      const output = await call(input);
      status = 200;
      body = JSON.stringify(output ?? null);
    } catch (error) {
      const described = describeHttpError(error, request.id);
      if (described.status >= 500) request.log.error({ err: error, procedure: route.procedurePath }, "procedure failed");
      status = described.status;
      body = JSON.stringify(described.envelope);
    }

    if (claimId !== undefined) {
      // The procedure's answer stands even if the key's bookkeeping fails (the database too busy
      // now): answering 503 for a payout that was committed would invite a retry that re-runs it.
      // The key stays "in progress" and a retry gets IDEMPOTENCY_KEY_IN_USE until it is abandoned.
      try {
        if (status >= 500) await releaseIdempotencyKey(db, claimId);
        else await storeIdempotentResponse(db, claimId, status, body);
      } catch (error) {
        request.log.error({ err: error, procedure: route.procedurePath }, "could not record the Idempotency-Key's outcome");
      }
    }
    return reply.code(status).type("application/json; charset=utf-8").send(body);
  }
}

function isJson(contentType: string | undefined): boolean {
  const mediaType = contentType?.split(";")[0]?.trim().toLowerCase();
  return mediaType === "application/json";
}

function assembleInput(route: RestRoute, request: FastifyRequest): unknown {
  if (!route.takesInput) return undefined;
  const fromPath = request.params as Record<string, string>;
  let rest: unknown;
  if (bodyMethods.has(route.method)) {
    rest = request.body ?? {};
    if (typeof rest !== "object" || rest === null || Array.isArray(rest)) {
      throw new DomainError("VALIDATION_FAILED", "the request body must be a JSON object", {
        fields: [{ path: "(body)", message: "expected a JSON object" }],
      });
    }
  } else {
    rest = request.query ?? {};
  }
  // Path parameters win: a body cannot redirect the call to another resource.
  return { ...(rest as Record<string, unknown>), ...fromPath };
}
