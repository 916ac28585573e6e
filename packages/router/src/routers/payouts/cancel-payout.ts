import { cancelPayout as cancelPayoutInDomain } from "@agrinet/domain";
import { z } from "zod";
import { actorOf } from "../../access";
import { procedure } from "../../trpc";
import { payoutIdInput, payoutOutput } from "./payout-schemas";

export const cancelPayout = procedure
  .meta({
    access: { staff: ["admin", "operator"] },
    description: "Cancels a queued payout and releases its held funds.",
  })
  .input(z.object({ payoutId: payoutIdInput, reason: z.string().max(500).optional() }))
  .output(payoutOutput)
  .mutation(({ ctx, input }) =>
    cancelPayoutInDomain({ db: ctx.db, ...input, audit: { actor: actorOf(ctx.principal), ip: ctx.ip } }),
  );
