import { listComments } from "@agrinet/domain";
import { z } from "zod";
import { everyStaff } from "../../access";
import { procedure } from "../../trpc";
import { exceptionIdInput } from "./reconciliation-schemas";
import { commentOutput } from "./reconciliation-schemas";

export const listExceptionCommentsProcedure = procedure
  .meta({
    access: { staff: everyStaff },
    description: "An exception's comments, oldest first.",
    openapi: { method: "GET", path: "/api/v1/reconciliation/exceptions/{exceptionId}/comments", tags: ["reconciliation"], summary: "List an exception's comments" },
  })
  .input(z.object({ exceptionId: exceptionIdInput }))
  .output(z.object({ items: z.array(commentOutput) }))
  .query(async ({ ctx, input }) => ({
    items: (await listComments(ctx.db, input.exceptionId)).map((c) => ({ id: c.id, author: c.author, body: c.body, createdAt: c.created_at })),
  }));
