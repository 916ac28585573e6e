import { payoutTransactionLimits } from "./payout-jobs";
import type { CurrencyCode } from "@agrinet/core";
import type { Db, Payout, Tx } from "@agrinet/db";
import { emitDomainEvent } from "../events/emit-domain-event";
import type { PayoutDestinationType } from "./payout-destination";
import { releasePayoutFunds, settlePayoutFunds } from "./payout-ledger";
import { finalPayoutStatuses, type PayoutStatus } from "./payout-view";

const payoutColumns = `id, user_id as "userId", amount, currency, destination_type as "destinationType",
  destination, contract_id as "contractId", reference, request_hash as "requestHash",
  status, attempts, last_error as "lastError", provider_reference as "providerReference",
  provider_request_id as "providerRequestId", hold_id as "holdId",
  ledger_snapshot as "ledgerSnapshot", batch_id as "batchId", job_id as "jobId",
  status_check as "statusCheck", status_check_at as "statusCheckAt",
  created_at as "createdAt", updated_at as "updatedAt", processing_at as "processingAt",
  paid_at as "paidAt", failed_at as "failedAt", cancelled_at as "cancelledAt"`;

/**
 * Locks the payout row for the rest of the transaction: one writer decides each transition.
 * One statement reads and locks (Prisma has no FOR UPDATE): every payout passes here three
 * times, and each round trip through Prisma costs milliseconds of the worker's CPU.
 */
export async function lockPayout(tx: Tx, payoutId: string): Promise<Payout | null> {
  const rows = await tx.$queryRawUnsafe<Payout[]>(`select ${payoutColumns} from payouts where id = $1 for update`, payoutId);
  return rows[0] ?? null;
}

export function isFinal(status: string): boolean {
  return finalPayoutStatuses.includes(status as PayoutStatus);
}

function eventPayload(payout: Payout, extra: Record<string, unknown> = {}) {
  return {
    payoutId: payout.id,
    amount: payout.amount,
    currency: payout.currency,
    destinationType: payout.destinationType,
    batchId: payout.batchId,
    ...extra,
  };
}

/**
 * Paid: commits the hold into the rail's clearing account and stores the receipt and ledger
 * snapshot. A payout already paid stays as it is (duplicate callbacks, a retried job).
 */
export async function markPayoutPaid(
  db: Db,
  options: { payoutId: string; providerReference: string },
): Promise<{ status: PayoutStatus; changed: boolean }> {
  return db.$transaction(async (tx) => {
    const payout = await lockPayout(tx, options.payoutId);
    if (!payout) return { status: "failed" as const, changed: false };
    if (payout.status === "paid") return { status: "paid" as const, changed: false };
    if (payout.status === "failed" || payout.status === "cancelled") {
      await flagPaidAfterGivingUp(tx, payout, options.providerReference);
      return { status: payout.status as PayoutStatus, changed: false };
    }
    await emitDomainEvent(tx, {
      type: "payout.paid",
      aggregateType: "payout",
      aggregateId: payout.id,
      userIds: [payout.userId],
      payload: eventPayload(payout, { providerReference: options.providerReference }),
    });
    // Last, so the shared clearing account stays locked only until the commit.
    const ledgerSnapshot = await settlePayoutFunds(tx, {
      id: payout.id,
      currency: payout.currency as CurrencyCode,
      destinationType: payout.destinationType as PayoutDestinationType,
      holdId: payout.holdId!,
      contractId: payout.contractId,
      providerReference: options.providerReference,
    });
    const paidAt = new Date();
    await tx.payout.update({
      where: { id: payout.id },
      data: {
        status: "paid",
        providerReference: options.providerReference,
        ledgerSnapshot,
        paidAt,
        lastError: null,
        processingAt: payout.processingAt ?? paidAt,
        statusCheck: null,
        statusCheckAt: null,
      },
    });
    return { status: "paid" as const, changed: true };
  }, payoutTransactionLimits);
}

/**
 * The provider paid a payout we had already given up on. Never silent: the hold was released,
 * so an operator must reconcile (event + last error), not the code.
 */
export async function flagPaidAfterGivingUp(tx: Tx, payout: Payout, providerReference: string) {
  await tx.payout.update({
    where: { id: payout.id },
    data: { lastError: `provider reported paid (${providerReference}) after the payout was ${payout.status}: reconcile` },
  });
  await emitDomainEvent(tx, {
    type: "payout.reconciliation_needed",
    aggregateType: "payout",
    aggregateId: payout.id,
    userIds: [payout.userId],
    payload: eventPayload(payout, { providerReference, status: payout.status }),
  });
}

/** Failed for good: releases the hold, so the funds are available again. */
export async function markPayoutFailed(
  db: Db,
  options: { payoutId: string; error: string; providerReference?: string },
): Promise<{ status: PayoutStatus; changed: boolean }> {
  return db.$transaction(async (tx) => {
    const payout = await lockPayout(tx, options.payoutId);
    if (!payout) return { status: "failed" as const, changed: false };
    if (isFinal(payout.status)) return { status: payout.status as PayoutStatus, changed: false };
    const ledgerSnapshot = await releasePayoutFunds(tx, {
      userId: payout.userId,
      currency: payout.currency as CurrencyCode,
      holdId: payout.holdId,
    });
    await tx.payout.update({
      where: { id: payout.id },
      data: {
        status: "failed",
        lastError: options.error,
        failedAt: new Date(),
        ledgerSnapshot,
        statusCheck: null,
        statusCheckAt: null,
        ...(options.providerReference ? { providerReference: options.providerReference } : {}),
      },
    });
    await emitDomainEvent(tx, {
      type: "payout.failed",
      aggregateType: "payout",
      aggregateId: payout.id,
      userIds: [payout.userId],
      payload: eventPayload(payout, { error: options.error }),
    });
    return { status: "failed" as const, changed: true };
  }, payoutTransactionLimits);
}

/** Records why an attempt did not finish; the payout stays `processing` for the next one. */
export async function recordPayoutAttemptError(db: Db, options: { payoutId: string; error: string }) {
  await db.payout.updateMany({
    where: { id: options.payoutId, status: "processing" },
    data: { lastError: options.error },
  });
}
