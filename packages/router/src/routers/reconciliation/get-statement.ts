import { statementPreview } from "@agrinet/domain";
import { z } from "zod";
import { everyStaff } from "../../access";
import { procedure } from "../../trpc";
import { statementIdInput, statementPreviewOutput } from "./reconciliation-schemas";

export const getStatementProcedure = procedure
  .meta({
    access: { staff: everyStaff },
    description: "A statement's preview: rows parsed, date range, totals, rows refused with their reason, how many are new.",
    openapi: { method: "GET", path: "/api/v1/reconciliation/statements/{statementId}", tags: ["reconciliation"], summary: "Get a statement" },
  })
  .input(z.object({ statementId: statementIdInput }))
  .output(statementPreviewOutput)
  .query(({ ctx, input }) => statementPreview(ctx.db, input.statementId));
