import type { CurrencyCode } from "@agrinet/core";
import type { Tx } from "@agrinet/db";
import { externalAccount, postLedgerTransaction, suspenseAccount } from "../ledger";

/**
 * Money M-Pesa delivered that matches no request (unknown account, too small, a confirmation
 * nobody validated, a callback whose amount or phone differs from the request): it is taken in
 * — M-Pesa holds it for us — but credited to `suspense:mpesa:<CCY>`, never to a guess, and the
 * payment opens an exception for staff to assign or return. Keyed by the payment, so a repeated
 * callback posts nothing twice.
 */
export async function creditSuspense(
  tx: Tx,
  payment: { id: string; receipt: string | null; currency: string },
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
  await tx.mpesaPayment.update({
    where: { id: payment.id },
    data: { exception: "open", exceptionReason: reason, suspenseTransactionId: posted.id.toString() },
  });
}
