import { z } from "zod";
import { checkAccess, type Access } from "../../access";
import { procedure } from "../../trpc";

type ProcedureRecord = Record<string, { _def: { meta?: { access?: Access } } }>;

/**
 * The procedures the caller may call, from the same rules the middleware enforces, so the
 * dashboard offers only what the server would allow (a viewer gets no Confirm button) without
 * restating the rules in the UI. Input-dependent rules ("self", "party") are left out: they
 * concern end users, not the dashboard.
 */
export const listPermissionsProcedure = procedure
  .meta({ access: { authenticated: true }, description: "Procedure paths the caller may call." })
  .input(z.void())
  .output(z.object({ procedures: z.array(z.string()) }))
  .query(async ({ ctx }): Promise<{ procedures: string[] }> => {
    // Imported at call time: the root router contains this procedure.
    const { appRouter } = await import("../../root");
    const all = appRouter._def.procedures as unknown as ProcedureRecord;
    const allowed = Object.entries(all)
      .filter(([, p]) => p._def.meta?.access && checkAccess(p._def.meta.access, ctx.principal, undefined) === "allow")
      .map(([path]) => path)
      .sort();
    return { procedures: allowed };
  });
