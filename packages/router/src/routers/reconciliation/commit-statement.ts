import { commitStatement } from "@agrinet/domain";
import { z } from "zod";
import { actorOf, staffWriters } from "../../access";
import { procedure } from "../../trpc";
import { runOutput, statementIdInput, statementPreviewOutput } from "./reconciliation-schemas";

export const commitStatementProcedure = procedure
  .meta({
    access: { staff: staffWriters },
    description:
      "Adds a previewed statement's new lines (lines already imported from another statement are skipped) and runs the matching. Committing twice changes nothing.",
    openapi: {
      method: "POST",
      path: "/admin/reconciliation/statements/{statementId}/commit",
      tags: ["reconciliation"],
      summary: "Commit a statement",
    },
  })
  .input(z.object({ statementId: statementIdInput }))
  .output(z.object({ statement: statementPreviewOutput, run: runOutput.nullable() }))
  .mutation(({ ctx, input }) =>
    commitStatement({ db: ctx.db, statementId: input.statementId, actor: actorOf(ctx.principal), ip: ctx.ip }),
  );
