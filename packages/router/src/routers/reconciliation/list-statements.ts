import { listStatements } from "@agrinet/domain";
import { z } from "zod";
import { everyStaff } from "../../access";
import { procedure } from "../../trpc";
import { sourceInput, statementOutput } from "./reconciliation-schemas";

export const listStatementsProcedure = procedure
  .meta({
    access: { staff: everyStaff },
    description: "Uploaded statements, newest first.",
    openapi: { method: "GET", path: "/api/v1/reconciliation/statements", tags: ["reconciliation"], summary: "List statements" },
  })
  .input(z.object({ source: sourceInput.optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }).default({ limit: 50 }))
  .output(z.object({ items: z.array(statementOutput) }))
  .query(async ({ ctx, input }) => ({ items: await listStatements(ctx.db, input) }));
