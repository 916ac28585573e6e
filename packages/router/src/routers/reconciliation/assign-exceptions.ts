import { assignReconciliationExceptions } from "@agrinet/domain";
import { z } from "zod";
import { actorOf, staffWriters } from "../../access";
import { procedure } from "../../trpc";
import { exceptionIdInput, exceptionWithAgeOutput, withAge } from "./reconciliation-schemas";

export const assignExceptionsProcedure = procedure
  .meta({
    access: { staff: staffWriters },
    description: "Assigns exceptions to a staff member (null unassigns them).",
    openapi: { method: "POST", path: "/api/v1/reconciliation/exceptions/assign", tags: ["reconciliation"], summary: "Assign exceptions" },
  })
  .input(z.object({ exceptionIds: z.array(exceptionIdInput).min(1).max(500), assignee: z.string().trim().min(1).max(200).nullable() }))
  .output(z.object({ items: z.array(exceptionWithAgeOutput) }))
  .mutation(async ({ ctx, input }) => {
    const items = await assignReconciliationExceptions({ db: ctx.db, ...input, actor: actorOf(ctx.principal), ip: ctx.ip });
    return { items: items.map((e) => withAge(e)) };
  });
