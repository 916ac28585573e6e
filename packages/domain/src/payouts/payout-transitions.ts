import { recordAttemptError } from "@agrinet/stores/payouts";
import { payoutTransactionLimits } from "./payout-jobs";
import type { CurrencyCode } from "@agrinet/core";
import type { Db, Payout } from "@agrinet/db";
import { lockPayout } from "@agrinet/stores/payouts";
import { emitDomainEvent } from "../events/emit-domain-event";
import { releasePayoutFunds } from "./payout-ledger";
import { finalPayoutStatuses, type PayoutStatus } from "./payout-view";

export { lockPayout };

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
  await recordAttemptError(db.$pool, options.payoutId, options.error);
}
