import { DomainError, minorUnitsOutput } from "@agrinet/core";
import { submitRating } from "@agrinet/domain";
import { nullableBigintIdOutput } from "@agrinet/schemas";
import { z } from "zod";
import { procedure } from "../../trpc";
import { ratingOutput } from "./rating-output";

export const submitRatingInput = z.object({
  contractId: z.string().min(1).max(64),
  raterRole: z.enum(["consumer", "producer"]),
  rating: z.number().int("an LBTAS rating is a whole number").min(-1).max(4),
  narrative: z.string().max(10_000).optional(),
  /** The party a partner app rates for; an end user's token names them already. */
  userId: z.string().min(1).max(120).optional(),
});

export const submitRatingProcedure = procedure
  .meta({
    access: { user: "party", partner: ["ratings:write"] },
    description:
      "An LBTAS rating (-1..+4) by one party of a trade. The consumer's 0..+4 releases the escrow to the producer; -1 (with a narrative) opens a dispute.",
    openapi: { method: "POST", path: "/submitRating", summary: "Rate the other party of a contract", tags: ["ratings"], errors: ["NOT_FOUND", "INVALID_STATE"] },
  })
  .input(submitRatingInput)
  .output(
    z.object({
      rating: ratingOutput,
      escrow: z
        .object({
          outcome: z.string(),
          amount: minorUnitsOutput,
          ledgerTransactionId: nullableBigintIdOutput,
        })
        .nullable(),
      disputeId: z.string().nullable(),
    }),
  )
  .mutation(async ({ ctx, input }) => {
    const raterId = ctx.principal?.kind === "user" ? ctx.principal.userId : input.userId;
    if (!raterId) {
      throw new DomainError("VALIDATION_FAILED", "userId: name the party the rating is for", {
        fields: [{ path: "userId", message: "required when a partner app rates for a user" }],
      });
    }
    const result = await submitRating({ db: ctx.db, raterId, input });
    return { rating: result.rating, escrow: result.settlement, disputeId: result.disputeId };
  });
