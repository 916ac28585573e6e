import { TRPCError, type AnyTRPCProcedure, type AnyTRPCRouter } from "@trpc/server";
import {
  createInputMiddleware,
  createOutputMiddleware,
  getTRPCErrorFromUnknown,
  middlewareMarker,
} from "@trpc/server/unstable-core-do-not-import";
import { z } from "zod";
import { rejectUnknownKeys } from "./strict-input";
import { tenancyCheckFor } from "./trpc";

/** What a tRPC middleware returns: its `next()`'s result, or the resolver's. */
type MiddlewareResult = { ok: true; data: unknown; ctx?: object; marker: string } | { ok: false; error: TRPCError; marker: string };

type NextOptions = { ctx?: object; input?: unknown; getRawInput?: () => Promise<unknown> };

type MiddlewareOptions = {
  ctx: object;
  type: string;
  path: string;
  input: unknown;
  getRawInput: () => Promise<unknown>;
  meta: unknown;
  signal: undefined;
  batchIndex: number;
  next: (options?: NextOptions) => Promise<MiddlewareResult>;
};

type Middleware = ((options: MiddlewareOptions) => Promise<MiddlewareResult>) & { _type?: string };

type ProcedureDef = {
  type: string;
  meta?: unknown;
  inputs: unknown[];
  output?: unknown;
  middlewares: Middleware[];
};

/**
 * tRPC validates with zod's parseAsync, which costs about twice parse (a promise per schema
 * node, each paying the process's promise hooks): schemas without async checks parse
 * synchronously, the others (zod says so by throwing $ZodAsyncError) asynchronously as before.
 */
function syncFirst(schema: z.ZodType) {
  return (value: unknown) => {
    try {
      return schema.parse(value);
    } catch (error) {
      if (error instanceof z.core.$ZodAsyncError) return schema.parseAsync(value);
      throw error;
    }
  };
}

/** An input is checked for keys its schema does not declare before zod (which drops them) parses it. */
function strictSyncFirst(schema: z.ZodType, allInputs: z.ZodType[]) {
  const parse = syncFirst(schema);
  return (value: unknown) => {
    rejectUnknownKeys(allInputs, value);
    return parse(value);
  };
}

/**
 * The chain with tRPC's own input and output middlewares rebuilt around `syncFirst` (same
 * middlewares, same errors: BAD_REQUEST for input, INTERNAL_SERVER_ERROR for output), and the
 * tenancy check given the input schemas (a malformed id: 400, not 404). Each
 * `.input()` added one input middleware and one entry of `inputs`, in order; a chain that does
 * not line up, or a validator that is not zod, is left as it is.
 */
function withSyncFirstValidation(def: ProcedureDef): Middleware[] {
  const inputMiddlewares = def.middlewares.filter((m) => m._type === "input");
  if (inputMiddlewares.length !== def.inputs.length) return def.middlewares;
  const allInputs = def.inputs.filter((input): input is z.ZodType => input instanceof z.ZodType);
  let inputIndex = 0;
  return def.middlewares.map((middleware) => {
    const tenancy = tenancyCheckFor(middleware, allInputs);
    if (tenancy) return tenancy as Middleware;
    if (middleware._type === "input") {
      const schema = def.inputs[inputIndex++];
      return schema instanceof z.ZodType ? (createInputMiddleware(strictSyncFirst(schema, allInputs)) as unknown as Middleware) : middleware;
    }
    if (middleware._type === "output" && def.output instanceof z.ZodType) {
      return createOutputMiddleware(syncFirst(def.output)) as unknown as Middleware;
    }
    return middleware;
  });
}

const validated = new WeakSet<object>();

/**
 * Gives every procedure of `router` the same validation the REST bridge's invokers run (unknown
 * keys refused, synchronous zod parsing), in place, so tRPC's own adapter applies it too: one
 * input contract whatever the transport. Idempotent.
 */
export function withStrictInputs<TRouter extends AnyTRPCRouter>(router: TRouter): TRouter {
  for (const procedure of Object.values(router._def.procedures as Record<string, AnyTRPCProcedure>)) {
    const def = procedure._def as unknown as ProcedureDef;
    // tRPC's caller closes over the builder's middleware array (shared with `_def`), so the
    // entries are replaced inside it rather than the array swapped.
    if (validated.has(def.middlewares)) continue;
    const rebuilt = withSyncFirstValidation(def);
    rebuilt.forEach((middleware, index) => (def.middlewares[index] = middleware));
    validated.add(def.middlewares);
  }
  return router;
}

export type ProcedureInvoker = (ctx: object, rawInput: unknown) => Promise<unknown>;

/**
 * `(ctx, rawInput) => output` for one procedure, resolved once (the REST bridge builds one per
 * route at start). It runs the procedure's own middleware chain (access, domain errors, input
 * and output validation, resolver) with tRPC's contract: each middleware gets `ctx`, `input`,
 * `getRawInput`, `meta`, `path`, `type` and `next(opts)`, which merges `opts.ctx` into the
 * context and may replace the input; a throw becomes a failed result (`getTRPCErrorFromUnknown`),
 * and a failed result is thrown to the caller. It exists because `createCaller(ctx).a.b(input)`
 * costs a proxy per request plus two descriptor-copying object spreads per middleware, which
 * came to about a tenth of the API's CPU per POST /deposit.
 */
export function procedureInvoker(procedure: AnyTRPCProcedure, path: string): ProcedureInvoker {
  const def = procedure._def as unknown as ProcedureDef;
  const { meta, type } = def;
  const middlewares = withSyncFirstValidation(def);

  async function step(index: number, ctx: object, input: unknown, getRawInput: () => Promise<unknown>): Promise<MiddlewareResult> {
    try {
      const middleware = middlewares[index]!;
      return await middleware({
        ctx,
        type,
        path,
        input,
        getRawInput,
        meta,
        signal: undefined,
        batchIndex: 0,
        next: (options) =>
          step(
            index + 1,
            options?.ctx ? { ...ctx, ...options.ctx } : ctx,
            options && "input" in options ? options.input : input,
            options?.getRawInput ?? getRawInput,
          ),
      });
    } catch (cause) {
      return { ok: false, error: getTRPCErrorFromUnknown(cause), marker: middlewareMarker };
    }
  }

  return async function invoke(ctx, rawInput) {
    const result = await step(0, ctx, undefined, async () => rawInput);
    if (!result) {
      throw new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "No result from middlewares - did you forget to `return next()`?" });
    }
    if (!result.ok) throw result.error;
    return result.data;
  };
}
