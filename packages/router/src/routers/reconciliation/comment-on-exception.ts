import { commentOnException as commentInDomain, listComments } from "@agrinet/domain";
import { isoDateOutput, bigintIdOutput } from "@agrinet/schemas";
import { z } from "zod";
import { actorOf, everyStaff, staffWriters } from "../../access";
import { procedure } from "../../trpc";
import { exceptionIdInput } from "./reconciliation-schemas";

const commentOutput = z.object({
  id: bigintIdOutput,
  author: z.string(),
  body: z.string(),
  createdAt: isoDateOutput,
});

export const commentOnException = procedure
  .meta({
    access: { staff: staffWriters },
    description: "Adds a comment to an exception.",
    openapi: { method: "POST", path: "/api/v1/reconciliation/exceptions/{exceptionId}/comments", tags: ["reconciliation"], summary: "Comment on an exception" },
  })
  .input(z.object({ exceptionId: exceptionIdInput, body: z.string().trim().min(1).max(4000) }))
  .output(z.object({ id: bigintIdOutput, createdAt: isoDateOutput }))
  .mutation(({ ctx, input }) => commentInDomain({ db: ctx.db, ...input, actor: actorOf(ctx.principal), ip: ctx.ip }));

export const listExceptionComments = procedure
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
