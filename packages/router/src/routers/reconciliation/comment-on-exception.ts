import { commentOnException } from "@agrinet/domain";
import { isoDateOutput, bigintIdOutput } from "@agrinet/schemas";
import { z } from "zod";
import { actorOf, staffWriters } from "../../access";
import { procedure } from "../../trpc";
import { exceptionIdInput } from "./reconciliation-schemas";

export const commentOnExceptionProcedure = procedure
  .meta({
    access: { staff: staffWriters },
    description: "Adds a comment to an exception.",
    openapi: { method: "POST", path: "/api/v1/reconciliation/exceptions/{exceptionId}/comments", tags: ["reconciliation"], summary: "Comment on an exception" },
  })
  .input(z.object({ exceptionId: exceptionIdInput, body: z.string().trim().min(1).max(4000) }))
  .output(z.object({ id: bigintIdOutput, createdAt: isoDateOutput }))
  .mutation(({ ctx, input }) => commentOnException({ db: ctx.db, ...input, actor: actorOf(ctx.principal), ip: ctx.ip }));
