import { DomainError } from "@agrinet/core";
import { getPayout } from "@agrinet/domain";
import { z } from "zod";
import { everyStaff } from "../../access";
import { procedure } from "../../trpc";
import { payoutIdInput, payoutOutput } from "./payout-schemas";

export const getPayoutProcedure = procedure
  .meta({
    access: { staff: everyStaff, partner: ["payouts:read"], user: "self" },
    description: "One payout with its status, attempts, provider receipt and ledger snapshot.",
    openapi: { method: "GET", path: "/api/v1/payouts/{payoutId}", tags: ["payouts"], summary: "A payout" },
  })
  .input(z.object({ payoutId: payoutIdInput, userId: z.string().optional() }))
  .output(payoutOutput)
  .query(async ({ ctx, input }) => {
    const payout = await getPayout({ db: ctx.db, payoutId: input.payoutId });
    // A user sees only their own payouts; another user's is "not found", not "forbidden".
    const owner = ctx.principal?.kind === "user" ? ctx.principal.userId : input.userId;
    if (owner !== undefined && payout.userId !== owner) {
      throw new DomainError("NOT_FOUND", `payout ${input.payoutId} does not exist`);
    }
    return payout;
  });
