import { DomainError, validationError, type CurrencyCode } from "@agrinet/core";
import type { Db } from "@agrinet/db";
import { providerKeyOf } from "@agrinet/rails";
import { addPayoutJob, runWaitingJobNow } from "@agrinet/job-queue";
import { recordAudit } from "../audit/record-audit";
import { emitDomainEvent } from "../events/emit-domain-event";
import { assertWorkerOnline } from "../system/assert-worker-online";
import { scheduleStatusCheck, payoutTransactionLimits } from "./payout-jobs";
import { reservePayoutFunds } from "./payout-ledger";
import { describeDestination, destinationCurrencyMismatch, type PayoutDestination } from "./payout-destination";
import { lockPayout } from "./payout-transitions";
import { assertDestinationPayable, saveDestination } from "./saved-destinations";
import { toPayoutView, type PayoutView } from "./payout-view";

export type RetryPayoutOptions = {
  db: Db;
  payoutId: string;
  maxAttempts: number;
  workerHeartbeatMaxAgeMs?: number;
  /** Who asked, for the audit log (written in the same transaction). */
  audit?: { actor: string; ip: string | null };
  /**
   * Send a failed payout to another destination: saved for the user like a new payout's (and
   * refused within PAYOUT_DESTINATION_COOLING_OFF_HOURS), recorded in the audit row.
   */
  destination?: PayoutDestination;
  destinationCoolingOffHours?: number;
};

/**
 * An operator's "try again now":
 * - processing (waiting out a retry backoff, or for a provider's answer): its job runs now, if
 *   it has one waiting, and the provider is asked at once;
 * - failed (the provider said no, finally, to its last request): the funds are reserved again
 *   (INSUFFICIENT_FUNDS if they were spent meanwhile) and the payout is queued and runnable now
 *   as a new request with its own provider key (`<id>-a<n>`, n its next attempt), to the same
 *   destination or to `destination`. The provider closed the old request, so reusing its key
 *   would be refused (another number) or answered with the old failure; callbacks about the old
 *   request are ignored from now on. The destination can change only here: a processing payout's
 *   outcome is unknown, and a new destination could be paid beside the old one.
 */
export async function retryPayout(options: RetryPayoutOptions): Promise<PayoutView> {
  const { db } = options;
  await assertWorkerOnline({ db, maxAgeMs: options.workerHeartbeatMaxAgeMs });
  const newDestination = options.destination ? await payableNewDestination(options, options.destination) : undefined;
  return db.$transaction(async (tx) => {
    const payout = await lockPayout(tx, options.payoutId);
    if (!payout) throw new DomainError("NOT_FOUND", `payout ${options.payoutId} does not exist`);
    if (newDestination && payout.status !== "failed") throw destinationChangeRefused(payout.status);
    const providerKey = payout.status === "failed" ? providerKeyOf(payout.id, payout.attempts + 1) : (payout.providerKey ?? payout.id);
    if (options.audit) {
      await recordAudit(tx, {
        ...options.audit,
        action: "payout.retried",
        target: `payout:${payout.id}`,
        metadata: {
          status: payout.status,
          providerKey,
          ...(newDestination
            ? {
                destinationFrom: describeDestination(payout.destination as PayoutDestination),
                destinationTo: describeDestination(newDestination.destination),
                destinationId: newDestination.id,
              }
            : {}),
        },
      });
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
      data: {
        status: "queued",
        holdId,
        jobId,
        failedAt: null,
        ledgerSnapshot: undefined,
        providerKey,
        providerRequestId: null,
        ...(newDestination ? { destination: newDestination.destination, destinationType: newDestination.destination.type } : {}),
      },
    });
    await emitDomainEvent(tx, {
      type: "payout.queued",
      aggregateType: "payout",
      aggregateId: payout.id,
      userIds: [payout.userId],
      payload: { payoutId: payout.id, amount: payout.amount, currency: payout.currency, retry: true, destinationChanged: Boolean(newDestination) },
    });
    return toPayoutView(queued);
  }, payoutTransactionLimits);
}

function destinationChangeRefused(status: string): DomainError {
  return new DomainError(
    "INVALID_STATE",
    `payout is ${status}: only a failed payout can be sent to another destination (while the outcome is unknown, the first destination may still be paid)`,
    { fields: [{ path: "destination", message: `cannot change while the payout is ${status}` }], details: { status } },
  );
}

/**
 * The new destination, saved for the payout's user (the payout's partner's record) and past its
 * cooling-off, checked before the payout is locked as a new payout's is. The payout's state is
 * read first so a payout that cannot change destination saves nothing.
 */
async function payableNewDestination(options: RetryPayoutOptions, destination: PayoutDestination) {
  const payout = await options.db.payout.findUnique({ where: { id: options.payoutId }, select: { status: true, currency: true, userId: true, partnerId: true } });
  if (!payout) throw new DomainError("NOT_FOUND", `payout ${options.payoutId} does not exist`);
  if (payout.status !== "failed") throw destinationChangeRefused(payout.status);
  const mismatch = destinationCurrencyMismatch(destination, payout.currency as CurrencyCode);
  if (mismatch) throw validationError([{ path: "destination", message: mismatch }]);
  const saved = await saveDestination({
    db: options.db,
    partnerId: payout.partnerId,
    userId: payout.userId,
    destination,
    coolingOffHours: options.destinationCoolingOffHours ?? 0,
    audit: options.audit ?? { actor: "system:payouts", ip: null },
  });
  assertDestinationPayable(saved, "destination");
  return { id: saved.id, destination };
}
