import { TRPCError, type AnyTRPCProcedure } from "@trpc/server";
import { getTRPCErrorFromUnknown, middlewareMarker } from "@trpc/server/unstable-core-do-not-import";

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

type ProcedureDef = {
  type: string;
  meta?: unknown;
  middlewares: ((options: MiddlewareOptions) => Promise<MiddlewareResult>)[];
};

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
  const { middlewares, meta, type } = def;

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
