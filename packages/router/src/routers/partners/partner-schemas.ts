import { minorUnitsOutput } from "@agrinet/core";
import { isoDateOutput } from "@agrinet/schemas";
import { z } from "zod";
import { partnerIdFilterInput } from "../../tenancy";

export const partnerIdInput = partnerIdFilterInput;

export const partnerOutput = z
  .object({
    id: z.string(),
    name: z.string(),
    createdAt: isoDateOutput,
    createdBy: z.string(),
    /** Live (unrevoked) keys. */
    keyCount: z.number().int(),
    /** Users whose home partner this is. */
    userCount: z.number().int(),
    /** Its daily payout cap per currency and what its payouts took of it today (UTC). */
    payoutLimits: z.array(
      z
        .object({
          currency: z.string(),
          /** Minor units; null: no cap. */
          cap: minorUnitsOutput.nullable(),
          /** partner: staff set it for this partner; default: PARTNER_DAILY_PAYOUT_CAP; none: no cap. */
          source: z.enum(["partner", "default", "none"]),
          /** Payouts created today (UTC) in this currency, less those failed or cancelled. */
          usedToday: minorUnitsOutput,
          remainingToday: minorUnitsOutput.nullable(),
        })
        .meta({ id: "PartnerPayoutLimit" }),
    ),
  })
  .meta({ id: "Partner" });
