import { currencyInput, minorUnitsInput } from "@agrinet/core";
import { updatePartnerLimits } from "@agrinet/domain";
import { z } from "zod";
import { actorOf } from "../../access";
import { procedure } from "../../trpc";
import { partnerIdInput, partnerOutput } from "./partner-schemas";

export const updatePartnerProcedure = procedure
  .meta({
    access: { staff: ["admin"] },
    description:
      "Sets a partner's own daily payout cap per currency (minor units; 0 stops its payouts in that currency), or removes it with null so PARTNER_DAILY_PAYOUT_CAP applies again. " +
      "Currencies not named keep theirs. Payouts created from then on are held to it; today's count. Audited.",
    openapi: { method: "PATCH", path: "/admin/partners/{partnerId}", summary: "Set a partner's limits", tags: ["partners"] },
  })
  .input(
    z.object({
      partnerId: partnerIdInput,
      dailyPayoutCaps: z
        .array(
          z.object({
            currency: currencyInput,
            cap: minorUnitsInput.refine((cap) => cap >= 0n, "must be 0 or more").nullable(),
          }),
        )
        .max(20),
    }),
  )
  .output(partnerOutput)
  .mutation(({ ctx, input }) =>
    updatePartnerLimits({
      db: ctx.db,
      partnerId: input.partnerId,
      dailyPayoutCaps: input.dailyPayoutCaps,
      defaultDailyPayoutCaps: ctx.payouts?.dailyPayoutCaps,
      actor: actorOf(ctx.principal),
      ip: ctx.ip,
    }),
  );
