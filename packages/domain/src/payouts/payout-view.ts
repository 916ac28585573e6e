import type { CurrencyCode } from "@agrinet/core";
import type { Payout } from "@agrinet/db";
import type { PayoutDestination, PayoutDestinationType } from "./payout-destination";

export const payoutStatuses = ["queued", "processing", "paid", "failed", "cancelled"] as const;
export type PayoutStatus = (typeof payoutStatuses)[number];
export const finalPayoutStatuses: readonly PayoutStatus[] = ["paid", "failed", "cancelled"];

/** A payout as callers see it: amounts stay bigint here, the router turns them into strings. */
export type PayoutView = {
  id: string;
  /** The partner that created it. */
  partnerId: string;
  userId: string;
  amount: bigint;
  currency: CurrencyCode;
  destination: PayoutDestination;
  destinationType: PayoutDestinationType;
  /** The saved destination it pays (null: a payout from before destinations were saved). */
  destinationId: string | null;
  contractId: string | null;
  reference: string;
  status: PayoutStatus;
  attempts: number;
  lastError: string | null;
  providerReference: string | null;
  /** The provider's idempotency key for the current (or next) request: the id, or `<id>-a<n>` after a retry of a final failure. */
  providerKey: string;
  holdId: string | null;
  ledgerSnapshot: unknown;
  batchId: string | null;
  jobId: string | null;
  createdAt: Date;
  updatedAt: Date;
  processingAt: Date | null;
  paidAt: Date | null;
  failedAt: Date | null;
  cancelledAt: Date | null;
};

export function toPayoutView(row: Payout): PayoutView {
  return {
    id: row.id,
    partnerId: row.partnerId,
    userId: row.userId,
    amount: row.amount,
    currency: row.currency as CurrencyCode,
    destination: row.destination as PayoutDestination,
    destinationType: row.destinationType as PayoutDestinationType,
    destinationId: row.destinationId,
    contractId: row.contractId,
    reference: row.reference,
    status: row.status as PayoutStatus,
    attempts: row.attempts,
    lastError: row.lastError,
    providerReference: row.providerReference,
    providerKey: row.providerKey ?? row.id,
    holdId: row.holdId,
    ledgerSnapshot: row.ledgerSnapshot,
    batchId: row.batchId,
    jobId: row.jobId,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    processingAt: row.processingAt,
    paidAt: row.paidAt,
    failedAt: row.failedAt,
    cancelledAt: row.cancelledAt,
  };
}
