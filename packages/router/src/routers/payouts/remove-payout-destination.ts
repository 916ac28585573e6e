import { removeSavedDestination } from "@agrinet/domain";
import { z } from "zod";
import { actorOf } from "../../access";
import { defaultPayoutSettings } from "../../context";
import { procedure } from "../../trpc";
import { partnerIdOf } from "../../tenancy";
import { userIdInput, destinationIdInput, savedDestinationOutput } from "./payout-schemas";

export const removePayoutDestinationProcedure = procedure
  .meta({
    access: { staff: ["admin", "operator"], partner: ["payouts:write"] },
    description: "Removes a saved payout destination (payouts already made keep where they went). Audited.",
    openapi: { method: "DELETE", path: "/users/{userId}/payout-destinations/{destinationId}", tags: ["payouts"], summary: "Remove a payout destination" },
  })
  .input(z.object({ userId: userIdInput, destinationId: destinationIdInput }))
  .output(savedDestinationOutput)
  .mutation(({ ctx, input }) =>
    removeSavedDestination({
      db: ctx.db,
      partnerId: partnerIdOf(ctx.principal),
      userId: input.userId,
      destinationId: input.destinationId,
      coolingOffHours: (ctx.payouts ?? defaultPayoutSettings).destinationCoolingOffHours ?? 0,
      audit: { actor: actorOf(ctx.principal), ip: ctx.ip },
    }),
  );
