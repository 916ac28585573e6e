import { payoutDestinationInput, retryPayout } from "@agrinet/domain";
import { z } from "zod";
import { actorOf } from "../../access";
import { defaultPayoutSettings } from "../../context";
import { procedure } from "../../trpc";
import { payoutIdInput, payoutOutput } from "./payout-schemas";

export const retryPayoutProcedure = procedure
  .meta({
    access: { staff: ["admin", "operator"] },
    description:
      "Retries a payout now: a processing one asks the provider about its request at once (and sends it again, same request, if the provider never received it); " +
      "a failed one holds its funds again and is sent now as a new request with its own provider key (providerKey), to the same destination or to `destination` (failed payouts only; audited; saved for the user and subject to the destination cooling-off).",
    openapi: { method: "POST", path: "/api/v1/payouts/{payoutId}/retry", tags: ["payouts"], summary: "Retry a failed payout", errors: ["INVALID_STATE", "INSUFFICIENT_FUNDS", "DESTINATION_COOLING_OFF"] },
  })
  .input(
    z.object({
      payoutId: payoutIdInput,
      /** Send a failed payout to another destination instead (saved for the user, audited). */
      destination: payoutDestinationInput.optional(),
    }),
  )
  .output(payoutOutput)
  .mutation(({ ctx, input }) =>
    retryPayout({
      db: ctx.db,
      payoutId: input.payoutId,
      maxAttempts: (ctx.payouts ?? defaultPayoutSettings).maxAttempts,
      destinationCoolingOffHours: (ctx.payouts ?? defaultPayoutSettings).destinationCoolingOffHours,
      ...(input.destination ? { destination: input.destination } : {}),
      audit: { actor: actorOf(ctx.principal), ip: ctx.ip },
    }),
  );
