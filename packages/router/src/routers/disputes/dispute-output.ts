import { minorUnitsOutput } from "@agrinet/core";
import { z } from "zod";

const isoDate = z.date().transform((d) => d.toISOString());

export const disputeOutput = z.object({
  id: z.string(),
  contractId: z.string(),
  ratingId: z.string(),
  status: z.enum(["open", "resolved"]),
  resolution: z.string().nullable(),
  resolvedBy: z.string().nullable(),
  resolutionNote: z.string().nullable(),
  ledgerTransactionId: z.string().nullable(),
  createdAt: isoDate,
  resolvedAt: isoDate.nullable(),
  /** The consumer's -1 narrative: operators read it; it is never exported or federated. */
  narrative: z.string().nullable(),
  escrowBalance: minorUnitsOutput,
  contract: z.object({
    id: z.string(),
    consumerId: z.string(),
    producerId: z.string(),
    currency: z.string(),
    status: z.string(),
  }),
});
