import { DomainError, type CurrencyCode } from "@agrinet/core";
import type { Db } from "@agrinet/db";
import { addPayoutJob, runWaitingJobNow } from "@agrinet/job-queue";
import { recordAudit } from "../audit/record-audit";
import { emitDomainEvent } from "../events/emit-domain-event";
import { assertWorkerOnline } from "../system/assert-worker-online";
import { scheduleStatusCheck, payoutTransactionLimits } from "./payout-jobs";
import { reservePayoutFunds } from "./payout-ledger";
import { lockPayout } from "./payout-transitions";
import { toPayoutView, type PayoutView } from "./payout-view";

export type RetryPayoutOptions = {
  db: Db;
  payoutId: string;
  maxAttempts: number;
  workerHeartbeatMaxAgeMs?: number;
  /** Who asked, for the audit log (written in the same transaction). */
  audit?: { actor: string; ip: string | null };
};

/**
 * An operator's "try again now":
 * - processing (waiting out a retry backoff, or for a provider's answer): its job runs now, if
 *   it has one waiting, and the provider is asked at once;
 * - failed: the funds are reserved again (INSUFFICIENT_FUNDS if they were spent meanwhile) and
 *   the payout is queued and runnable now. The worker asks the provider before sending, so a
 *   payout the provider had in fact paid is settled, not paid twice.
 */
export async function retryPayout(options: RetryPayoutOptions): Promise<PayoutView> {
  const { db } = options;
  await assertWorkerOnline({ db, maxAgeMs: options.workerHeartbeatMaxAgeMs });
  return db.$transaction(async (tx) => {
    const payout = await lockPayout(tx, options.payoutId);
    if (!payout) throw new DomainError("NOT_FOUND", `payout ${options.payoutId} does not exist`);
    if (options.audit) {
      await recordAudit(tx, { ...options.audit, action: "payout.retried", target: `payout:${payout.id}`, metadata: { status: payout.status } });
    }
    if (payout.status === "processing") {
      if (payout.destinationType === "bank") {
        throw new DomainError("INVALID_STATE", "bank payouts are completed by marking them paid or failed");
      }
      // The next check of its chain is due now, or a new chain starts when the last one gave up.
      await runWaitingJobNow(tx, payout.id);
      await scheduleStatusCheck(tx, { payoutId: payout.id, afterMs: 0, check: payout.statusCheck ?? 1 });
      return toPayoutView(payout);
    }
    if (payout.status !== "failed") {
      throw new DomainError("INVALID_STATE", `payout ${payout.id} is ${payout.status}; only processing or failed payouts can be retried`, {
        details: { status: payout.status },
      });
    }
    const reservation = await tx.ledgerHold.count({ where: { idempotencyKey: { startsWith: `payout:${payout.id}:reserve` } } });
    const { holdId } = await reservePayoutFunds(
      tx,
      { id: payout.id, userId: payout.userId, amount: payout.amount, currency: payout.currency as CurrencyCode, contractId: payout.contractId },
      reservation,
    );
    const jobId = await addPayoutJob(tx, { payoutId: payout.id, maxAttempts: options.maxAttempts, runNow: true });
    const queued = await tx.payout.update({
      where: { id: payout.id },
      data: { status: "queued", holdId, jobId, failedAt: null, ledgerSnapshot: undefined },
    });
    await emitDomainEvent(tx, {
      type: "payout.queued",
      aggregateType: "payout",
      aggregateId: payout.id,
      userIds: [payout.userId],
      payload: { payoutId: payout.id, amount: payout.amount, currency: payout.currency, retry: true },
    });
    return toPayoutView(queued);
  }, payoutTransactionLimits);
}
