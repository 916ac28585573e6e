import { z } from "zod";
import { minorUnitsOutput } from "@agrinet/core";
import { payoutDestinationTypes, payoutStatuses } from "@agrinet/domain";
import { isoDateOutput, nullableIsoDateOutput } from "@agrinet/schemas";

/** A payout as every transport returns it: amounts as strings of minor units. */
export const payoutOutput = z.object({
  id: z.string(),
  /** The partner that created it. */
  partnerId: z.string(),
  userId: z.string(),
  amount: minorUnitsOutput,
  currency: z.string(),
  destination: z.record(z.string(), z.unknown()),
  destinationType: z.enum(payoutDestinationTypes),
  /** The saved destination it pays (POST /users/{userId}/payout-destinations, or saved from the inline one); null for payouts from before destinations were saved. */
  destinationId: z.string().nullable(),
  contractId: z.string().nullable(),
  reference: z.string(),
  status: z.enum(payoutStatuses),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  providerReference: z.string().nullable(),
  /** The provider's idempotency key for the payout's current request (M-Pesa OriginatorConversationID): the payout id, or `<id>-a<n>` after a retry of a final failure. */
  providerKey: z.string(),
  holdId: z.string().nullable(),
  ledgerSnapshot: z.unknown(),
  batchId: z.string().nullable(),
  jobId: z.string().nullable(),
  createdAt: isoDateOutput,
  updatedAt: isoDateOutput,
  processingAt: nullableIsoDateOutput,
  paidAt: nullableIsoDateOutput,
  failedAt: nullableIsoDateOutput,
  cancelledAt: nullableIsoDateOutput,
}).meta({ id: "Payout" });

export const payoutIdInput = z.string().regex(/^po_[0-9a-f]{24}$/, "expected a payout id (po_…)");
export const batchIdInput = z.string().regex(/^pb_[0-9a-f]{20}$/, "expected a payout batch id (pb_…)");

export const currencyTotalOutput = z.object({
  currency: z.string(),
  count: z.number().int(),
  amount: minorUnitsOutput,
});

export const userIdInput = z.string().regex(/^[A-Za-z0-9_.@-]{1,120}$/, "expected a user id");
export const destinationIdInput = z.string().regex(/^pd_[A-Za-z0-9]{1,64}$/, "expected a payout destination id (pd_…)");
export const savedDestinationOutput = z.object({
  id: z.string(),
  partnerId: z.string(),
  userId: z.string(),
  destination: z.record(z.string(), z.unknown()),
  description: z.string(),
  createdAt: z.date(),
  payableAt: z.date(),
});
