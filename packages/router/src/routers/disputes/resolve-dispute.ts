import { minorUnitsOutput } from "@agrinet/core";
import { resolveDispute } from "@agrinet/domain";
import { z } from "zod";
import { staffWriters } from "../../access";
import { procedure } from "../../trpc";

export const resolveDisputeProcedure = procedure
  .meta({
    access: { staff: staffWriters },
    description: "Resolve a dispute: release the frozen escrow to the producer or refund the consumer.",
    openapi: {
      method: "POST",
      path: "/api/v1/disputes/{disputeId}/resolve",
      summary: "Resolve a dispute",
      tags: ["disputes"],
      errors: ["INVALID_STATE"],
    },
  })
  .input(
    z.object({
      disputeId: z.string().min(1).max(64),
      resolution: z.enum(["release", "refund"]),
      note: z.string().max(5_000).optional(),
    }),
  )
  .output(
    z.object({
      disputeId: z.string(),
      resolution: z.enum(["release", "refund"]),
      amount: minorUnitsOutput,
      ledgerTransactionId: z.string().nullable(),
    }),
  )
  .mutation(async ({ ctx, input }) => {
    const resolvedBy =
      ctx.principal?.kind === "staff" ? ctx.principal.email : (ctx.principal?.kind ?? "unknown");
    const { dispute, settlement } = await resolveDispute({ db: ctx.db, resolvedBy, input });
    return {
      disputeId: dispute.id,
      resolution: input.resolution,
      amount: settlement.amount,
      ledgerTransactionId: dispute.ledgerTransactionId,
    };
  });
