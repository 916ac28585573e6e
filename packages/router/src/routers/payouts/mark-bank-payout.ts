import { markBankPayout } from "@agrinet/domain";
import { z } from "zod";
import { actorOf } from "../../access";
import { procedure } from "../../trpc";
import { payoutIdInput, payoutOutput } from "./payout-schemas";

export const markBankPayoutProcedure = procedure
  .meta({
    access: { staff: ["admin", "operator"] },
    description: "Records the bank's verdict on an exported bank payout: paid (with the bank's receipt) or failed.",
  })
  .input(
    z.discriminatedUnion("outcome", [
      z.object({ payoutId: payoutIdInput, outcome: z.literal("paid"), receipt: z.string().trim().min(1).max(200) }),
      z.object({ payoutId: payoutIdInput, outcome: z.literal("failed"), reason: z.string().trim().min(1).max(500) }),
    ]),
  )
  .output(payoutOutput)
  .mutation(({ ctx, input }) =>
    markBankPayout({ db: ctx.db, markedBy: actorOf(ctx.principal), ...input }),
  );
