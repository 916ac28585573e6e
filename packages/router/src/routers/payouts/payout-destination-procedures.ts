import { listSavedDestinations, payoutDestinationInput, removeSavedDestination, saveDestination } from "@agrinet/domain";
import { z } from "zod";
import { actorOf, everyStaff } from "../../access";
import { defaultPayoutSettings } from "../../context";
import { procedure } from "../../trpc";
import { partnerIdOf } from "../../tenancy";

const userIdInput = z.string().regex(/^[A-Za-z0-9_.@-]{1,120}$/, "expected a user id");
export const destinationIdInput = z.string().regex(/^pd_[A-Za-z0-9]{1,64}$/, "expected a payout destination id (pd_…)");

const savedDestinationOutput = z.object({
  id: z.string(),
  partnerId: z.string(),
  userId: z.string(),
  destination: z.record(z.string(), z.unknown()),
  description: z.string(),
  createdAt: z.date(),
  payableAt: z.date(),
});

export const createPayoutDestination = procedure
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

export const listPayoutDestinations = procedure
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

export const removePayoutDestination = procedure
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
