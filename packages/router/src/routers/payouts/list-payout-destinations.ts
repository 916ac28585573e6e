import { listSavedDestinations } from "@agrinet/domain";
import { z } from "zod";
import { everyStaff } from "../../access";
import { defaultPayoutSettings } from "../../context";
import { procedure } from "../../trpc";
import { partnerIdOf } from "../../tenancy";
import { userIdInput, savedDestinationOutput } from "./payout-schemas";

export const listPayoutDestinationsProcedure = procedure
  .meta({
    access: { staff: everyStaff, partner: ["payouts:read", "payouts:write"], user: "self" },
    description: "The user's saved payout destinations, oldest first (a partner sees those it saved).",
    openapi: { method: "GET", path: "/users/{userId}/payout-destinations", tags: ["payouts"], summary: "List payout destinations" },
  })
  .input(z.object({ userId: userIdInput }))
  .output(z.object({ items: z.array(savedDestinationOutput) }))
  .query(async ({ ctx, input }) => ({
    items: await listSavedDestinations({
      db: ctx.db,
      partnerId: partnerIdOf(ctx.principal),
      userId: input.userId,
      coolingOffHours: (ctx.payouts ?? defaultPayoutSettings).destinationCoolingOffHours ?? 0,
    }),
  }));
