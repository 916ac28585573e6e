import { specExamples } from "@agrinet/schemas";
import { currencyInput, positiveMinorUnitsInput } from "@agrinet/core";
import { createPayout, payoutDestinationInput } from "@agrinet/domain";
import { z } from "zod";
import { actorOf } from "../../access";
import { defaultPayoutSettings } from "../../context";
import { procedure } from "../../trpc";
import { partnerIdOf } from "../../tenancy";
import { destinationIdInput } from "./payout-schemas";
import { payoutOutput } from "./payout-schemas";

export const createPayoutInput = z.object({
  userId: z.string().regex(/^[A-Za-z0-9_.@-]{1,120}$/, "expected a user id"),
  amount: positiveMinorUnitsInput,
  currency: currencyInput,
  /** Where to pay, inline (saved for the user with the payout); or name a saved one by destinationId. */
  destination: payoutDestinationInput.optional(),
  /** A saved destination of the user's (POST /users/{userId}/payout-destinations). */
  destinationId: destinationIdInput.optional(),
  contractId: z.string().regex(/^[A-Za-z0-9_.@-]{1,120}$/, "expected a contract id").optional(),
  /**
   * Your unique reference: sending it again returns the same payout instead of paying twice.
   * Over REST the Idempotency-Key header is the reference when the body has none.
   */
  reference: z.string().min(1).max(200).optional(),
});

export const createPayoutProcedure = procedure
  .meta({
    access: { staff: ["admin", "operator"], partner: ["payouts:write"] },
    description:
      "Schedules a payout: the amount is held on the producer's wallet at once and the payout waits, queued, for the next payout run. " +
      "Over REST the Idempotency-Key header is the payout's reference when the body has none (a different reference in the body → 400). " +
      "A payout that would take the partner's payouts created today (UTC) in its currency above the partner's daily payout cap → 422 LIMIT_EXCEEDED, nothing held.",
    openapi: { method: "POST", path: "/payouts", tags: ["payouts"], summary: "Schedule a payout", example: { request: specExamples.schedulePayout }, errors: ["INSUFFICIENT_FUNDS", "WORKER_OFFLINE", "ESCROW_NOT_RELEASED", "DESTINATION_COOLING_OFF", "LIMIT_EXCEEDED"], idempotencyKeyField: "reference" },
  })
  .input(createPayoutInput)
  .output(payoutOutput.extend({ replayed: z.boolean() }))
  .mutation(({ ctx, input }) => {
    const settings = ctx.payouts ?? defaultPayoutSettings;
    return createPayout({
      db: ctx.db,
      input,
      partnerId: partnerIdOf(ctx.principal),
      minAmount: settings.minAmount,
      maxAmount: settings.maxAmount,
      maxAttempts: settings.maxAttempts,
      destinationCoolingOffHours: settings.destinationCoolingOffHours,
      dailyPayoutCaps: settings.dailyPayoutCaps,
      audit: { actor: actorOf(ctx.principal), ip: ctx.ip },
    });
  });
