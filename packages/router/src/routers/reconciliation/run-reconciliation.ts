import { runReconciliation } from "@agrinet/domain";
import { z } from "zod";
import { actorOf, staffWriters } from "../../access";
import { procedure } from "../../trpc";
import { runOutput, sourceInput } from "./reconciliation-schemas";

export const runReconciliationProcedure = procedure
  .meta({
    access: { staff: staffWriters },
    description: "Matches a source's statement lines with the ledger now; `dryRun` shows what would match and changes nothing.",
    openapi: { method: "POST", path: "/api/v1/reconciliation/runs", tags: ["reconciliation"], summary: "Run the matching" },
  })
  .input(z.object({ source: sourceInput, dryRun: z.boolean().default(false) }))
  .output(runOutput)
  .mutation(({ ctx, input }) =>
    runReconciliation({ db: ctx.db, source: input.source, dryRun: input.dryRun, trigger: "manual", actor: actorOf(ctx.principal), ip: ctx.ip }),
  );
