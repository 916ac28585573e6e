import { payoutTransactionLimits } from "./payout-jobs";
import { DomainError, type CurrencyCode } from "@agrinet/core";
import type { Db } from "@agrinet/db";
import { removeJobs } from "@agrinet/job-queue";
import { recordAudit } from "../audit/record-audit";
import { emitDomainEvent } from "../events/emit-domain-event";
import { releasePayoutFunds } from "./payout-ledger";
import { lockPayout } from "./payout-transitions";
import { toPayoutView, type PayoutView } from "./payout-view";

/**
 * Cancels a payout that no worker has started: its job is removed and the hold released. Once
 * a payout is processing the provider may have it, so it can no longer be cancelled here.
 */
export async function cancelPayout(options: {
  db: Db;
  payoutId: string;
  reason?: string | undefined;
  audit?: { actor: string; ip: string | null };
}): Promise<PayoutView> {
  return options.db.$transaction(async (tx) => {
    const payout = await lockPayout(tx, options.payoutId);
    if (!payout) throw new DomainError("NOT_FOUND", `payout ${options.payoutId} does not exist`);
    if (payout.status === "cancelled") return toPayoutView(payout);
    if (payout.status !== "queued") {
      throw new DomainError("INVALID_STATE", `payout ${payout.id} is ${payout.status}; only queued payouts can be cancelled`, {
        details: { status: payout.status },
      });
    }
    // The job may already be locked by a worker that has not yet moved the payout to
    // processing: that worker will find the payout cancelled and stop.
    await removeJobs(tx, [payout.id]);
    const ledgerSnapshot = await releasePayoutFunds(tx, {
      userId: payout.userId,
      currency: payout.currency as CurrencyCode,
      holdId: payout.holdId,
    });
    const cancelled = await tx.payout.update({
      where: { id: payout.id },
      data: { status: "cancelled", cancelledAt: new Date(), lastError: options.reason ?? null, ledgerSnapshot },
    });
    await emitDomainEvent(tx, {
      type: "payout.cancelled",
      aggregateType: "payout",
      aggregateId: payout.id,
      userIds: [payout.userId],
      payload: { payoutId: payout.id, amount: payout.amount, currency: payout.currency, reason: options.reason ?? null },
    });
    if (options.audit) {
      await recordAudit(tx, { ...options.audit, action: "payout.cancelled", target: `payout:${payout.id}`, metadata: { reason: options.reason ?? null } });
    }
    return toPayoutView(cancelled);
  }, payoutTransactionLimits);
}
