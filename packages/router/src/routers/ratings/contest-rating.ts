import { isoDateOutput } from "@agrinet/schemas";
import { DomainError } from "@agrinet/core";
import { contestRating } from "@agrinet/domain";
import { z } from "zod";
import { procedure } from "../../trpc";

export const contestRatingProcedure = procedure
  .meta({
    access: { user: "party", partner: ["ratings:write"] },
    description: "Contest a rating with a reason: an annotation event; the rating is never erased.",
    openapi: { method: "POST", path: "/api/v1/ratings/{ratingId}/contest", summary: "Contest a rating", tags: ["ratings"] },
  })
  .input(
    z.object({
      ratingId: z.string().min(1).max(64),
      reason: z.string().min(1).max(10_000),
      userId: z.string().min(1).max(120).optional(),
    }),
  )
  .output(
    z.object({
      id: z.string(),
      ratingId: z.string(),
      kind: z.string(),
      byUserId: z.string(),
      reason: z.string(),
      createdAt: isoDateOutput,
    }),
  )
  .mutation(({ ctx, input }) => {
    const userId = ctx.principal?.kind === "user" ? ctx.principal.userId : input.userId;
    if (!userId) {
      throw new DomainError("VALIDATION_FAILED", "userId: name the party contesting", {
        fields: [{ path: "userId", message: "required when a partner app contests for a user" }],
      });
    }
    return contestRating({ db: ctx.db, userId, input });
  });
