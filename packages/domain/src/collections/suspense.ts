import type { CurrencyCode } from "@agrinet/core";
import type { TxClient } from "@agrinet/db";
import { openMpesaException } from "@agrinet/stores/mpesa-payments";
import { emitDomainEvent } from "../events/emit-domain-event";
import { externalAccount, postLedgerTransaction, suspenseAccount } from "../ledger";

/** The outbox event of money held in suspense: staff's live notification and the metric's count. */
export const unmatchedPaymentEvent = "mpesa.unmatched";

/**
 * Money M-Pesa delivered that matches no request (unknown account, too small, a confirmation
 * nobody validated, a callback whose amount or phone differs from the request): it is taken in
 * — M-Pesa holds it for us — but credited to `suspense:mpesa:<CCY>`, never to a guess, and the
 * payment opens an exception for staff to assign or return. Keyed by the payment, so a repeated
 * callback posts nothing twice.
 *
 * Staff hear of it at once (`mpesa.unmatched`, to the staff audience only: the event names no
 * user, so no partner's webhook receives money that may be another partner's customer's).
 */
export async function creditSuspense(
  tx: TxClient,
  payment: UnmatchedPayment,
  amount: bigint,
  reason: string,
): Promise<void> {
  const currency = payment.currency as CurrencyCode;
  const posted = await postLedgerTransaction(tx, {
    idempotencyKey: `mpesa-suspense:${payment.id}`,
    kind: "deposit",
    metadata: { mpesaPaymentId: payment.id, receipt: payment.receipt, reason: reason.slice(0, 200) },
    postings: [
      { account: externalAccount("mpesa", currency), amount: -amount, currency },
      { account: suspenseAccount("mpesa", currency), amount, currency },
    ],
  });
  await openMpesaException(tx, payment.id, reason, posted.id.toString());
  if (!posted.replayed) await recordUnmatchedPaymentEvent(tx, payment, amount, reason, posted.id);
}

type UnmatchedPayment = { id: string; kind: string; receipt: string | null; currency: string; phoneNumber: string | null; accountReference: string | null };

/**
 * The `mpesa.unmatched` event of a payment that just entered the exceptions queue, for staff
 * only (no user named: neither a user's stream nor any partner's webhook receives it). Amount
 * and ledger transaction are null when M-Pesa's amount could not be booked.
 */
export async function recordUnmatchedPaymentEvent(
  tx: TxClient,
  payment: UnmatchedPayment,
  amount: bigint | null,
  reason: string,
  ledgerTransactionId: bigint | null,
): Promise<void> {
  await emitDomainEvent(tx, {
    type: unmatchedPaymentEvent,
    aggregateType: "mpesa_payment",
    aggregateId: payment.id,
    userIds: [],
    payload: {
      paymentId: payment.id,
      kind: payment.kind,
      amount,
      currency: payment.currency,
      receipt: payment.receipt,
      phoneNumber: payment.phoneNumber,
      accountReference: payment.accountReference,
      reason,
      ledgerTransactionId: ledgerTransactionId?.toString() ?? null,
    },
  });
}
