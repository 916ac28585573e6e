import { isoDateOutput, nullableIsoDateOutput } from "@agrinet/schemas";
import { minorUnitsOutput } from "@agrinet/core";
import { z } from "zod";

export const disputeOutput = z.object({
  id: z.string(),
  contractId: z.string(),
  ratingId: z.string(),
  status: z.enum(["open", "resolved"]),
  resolution: z.string().nullable(),
  resolvedBy: z.string().nullable(),
  resolutionNote: z.string().nullable(),
  ledgerTransactionId: z.string().nullable(),
  createdAt: isoDateOutput,
  resolvedAt: nullableIsoDateOutput,
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
}).meta({ id: "Dispute" });
