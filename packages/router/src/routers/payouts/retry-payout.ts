import { retryPayout as retryPayoutInDomain } from "@agrinet/domain";
import { z } from "zod";
import { actorOf } from "../../access";
import { defaultPayoutSettings } from "../../context";
import { procedure } from "../../trpc";
import { payoutIdInput, payoutOutput } from "./payout-schemas";

export const retryPayout = procedure
  .meta({
    access: { staff: ["admin", "operator"] },
    description:
      "Retries a payout now: a processing one runs (or asks the provider) at once; a failed one holds its funds again and is re-queued.",
    openapi: { method: "POST", path: "/api/v1/payouts/{payoutId}/retry", tags: ["payouts"], summary: "Retry a failed payout", errors: ["INVALID_STATE", "INSUFFICIENT_FUNDS"] },
  })
  .input(z.object({ payoutId: payoutIdInput }))
  .output(payoutOutput)
  .mutation(({ ctx, input }) =>
    retryPayoutInDomain({
      db: ctx.db,
      payoutId: input.payoutId,
      maxAttempts: (ctx.payouts ?? defaultPayoutSettings).maxAttempts,
      audit: { actor: actorOf(ctx.principal), ip: ctx.ip },
    }),
  );
