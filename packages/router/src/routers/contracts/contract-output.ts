import { minorUnitsOutput } from "@agrinet/core";
import { isoDateOutput, nullableIsoDateOutput } from "@agrinet/schemas";
import { z } from "zod";

export const contractOutput = z.object({
  id: z.string(),
  /** The partner that registered it. */
  partnerId: z.string(),
  consumerId: z.string(),
  producerId: z.string(),
  currency: z.string(),
  expectedAmount: minorUnitsOutput,
  status: z.enum(["open", "funded", "released", "disputed", "refunded"]),
  escrowBalance: minorUnitsOutput,
  settledAmount: minorUnitsOutput,
  ratingWindowEndsAt: isoDateOutput,
  metadata: z.record(z.string(), z.unknown()),
  createdAt: isoDateOutput,
  settledAt: nullableIsoDateOutput,
}).meta({ id: "Contract" });
