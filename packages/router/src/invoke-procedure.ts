import { callTRPCProcedure, type AnyTRPCProcedure, type AnyTRPCRouter } from "@trpc/server";

export type ProcedureInvoker = (ctx: object, rawInput: unknown) => Promise<unknown>;

/**
 * `(ctx, rawInput) => output` for the procedure at `path`, resolved once (the REST bridge builds
 * one per route at start). It goes through `callTRPCProcedure`, tRPC's public call (what its own
 * adapters use): the procedure's whole middleware chain (access, tenancy, domain errors, input
 * and output validation, resolver), a failure thrown as the TRPCError tRPC's adapters see.
 * Not `createCaller(ctx).a.b(input)`: that builds a proxy per request to find what is known here.
 */
export function procedureInvoker(router: AnyTRPCRouter, path: string): ProcedureInvoker {
  const procedure = (router._def.procedures as Record<string, AnyTRPCProcedure | undefined>)[path];
  if (!procedure) throw new Error(`no procedure at ${path}`);
  const type = procedure._def.type;
  return function invoke(ctx, rawInput) {
    return callTRPCProcedure({
      router,
      path,
      type,
      ctx,
      getRawInput: async () => rawInput,
      input: undefined,
      signal: undefined,
      batchIndex: 0,
    });
  };
}
