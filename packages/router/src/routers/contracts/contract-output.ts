import { minorUnitsOutput } from "@agrinet/core";
import { z } from "zod";

export const contractOutput = z.object({
  id: z.string(),
  consumerId: z.string(),
  producerId: z.string(),
  currency: z.string(),
  expectedAmount: minorUnitsOutput,
  status: z.enum(["open", "funded", "released", "disputed", "refunded"]),
  escrowBalance: minorUnitsOutput,
  settledAmount: minorUnitsOutput,
  ratingWindowEndsAt: z.date().transform((d) => d.toISOString()),
  metadata: z.record(z.string(), z.unknown()),
  createdAt: z.date().transform((d) => d.toISOString()),
  settledAt: z.date().nullable().transform((d) => d?.toISOString() ?? null),
});
