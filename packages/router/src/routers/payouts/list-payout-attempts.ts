import { listPayoutAttempts, payoutAttemptOutcomes } from "@agrinet/domain";
import { isoDateOutput, nullableIsoDateOutput } from "@agrinet/schemas";
import { z } from "zod";
import { everyStaff } from "../../access";
import { procedure } from "../../trpc";
import { payoutIdInput } from "./payout-schemas";

export const listPayoutAttemptsProcedure = procedure
  .meta({
    access: { staff: everyStaff },
    description: "Every attempt at paying one payout, first to last: when, to where, the rail's answer and the provider's references.",
  })
  .input(z.object({ payoutId: payoutIdInput }))
  .output(
    z.object({
      attempts: z.array(
        z.object({
          attempt: z.number().int(),
          destination: z.record(z.string(), z.unknown()),
          outcome: z.enum(payoutAttemptOutcomes).nullable(),
          error: z.string().nullable(),
          /** The provider idempotency key of the attempt's request (M-Pesa OriginatorConversationID). */
          providerKey: z.string(),
          providerRequestId: z.string().nullable(),
          providerReference: z.string().nullable(),
          startedAt: isoDateOutput,
          finishedAt: nullableIsoDateOutput,
        }),
      ),
    }),
  )
  .query(async ({ ctx, input }) => ({ attempts: await listPayoutAttempts({ db: ctx.db, payoutId: input.payoutId }) }));
