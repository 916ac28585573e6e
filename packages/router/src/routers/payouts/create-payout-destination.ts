import { payoutDestinationInput, saveDestination } from "@agrinet/domain";
import { z } from "zod";
import { actorOf } from "../../access";
import { defaultPayoutSettings } from "../../context";
import { procedure } from "../../trpc";
import { partnerIdOf } from "../../tenancy";
import { userIdInput, savedDestinationOutput } from "./payout-schemas";

export const createPayoutDestinationProcedure = procedure
  .meta({
    access: { staff: ["admin", "operator"], partner: ["payouts:write"] },
    description:
      "Saves a payout destination for the user (the same destination again answers the saved one, created: false). Payable once PAYOUT_DESTINATION_COOLING_OFF_HOURS have passed (payableAt). Audited.",
    openapi: { method: "POST", path: "/users/{userId}/payout-destinations", tags: ["payouts"], summary: "Save a payout destination" },
  })
  .input(z.object({ userId: userIdInput, destination: payoutDestinationInput }))
  .output(savedDestinationOutput.extend({ created: z.boolean() }))
  .mutation(({ ctx, input }) =>
    saveDestination({
      db: ctx.db,
      partnerId: partnerIdOf(ctx.principal),
      userId: input.userId,
      destination: input.destination,
      coolingOffHours: (ctx.payouts ?? defaultPayoutSettings).destinationCoolingOffHours ?? 0,
      audit: { actor: actorOf(ctx.principal), ip: ctx.ip },
    }),
  );
