import { cancelPayout } from "@agrinet/domain";
import { z } from "zod";
import { actorOf } from "../../access";
import { procedure } from "../../trpc";
import { payoutIdInput, payoutOutput } from "./payout-schemas";

export const cancelPayoutProcedure = procedure
  .meta({
    access: { staff: ["admin", "operator"] },
    description: "Cancels a queued payout and releases its held funds.",
    openapi: { method: "POST", path: "/api/v1/payouts/{payoutId}/cancel", tags: ["payouts"], summary: "Cancel a queued payout", errors: ["INVALID_STATE"] },
  })
  .input(z.object({ payoutId: payoutIdInput, reason: z.string().max(500).optional() }))
  .output(payoutOutput)
  .mutation(({ ctx, input }) =>
    cancelPayout({ db: ctx.db, ...input, audit: { actor: actorOf(ctx.principal), ip: ctx.ip } }),
  );
