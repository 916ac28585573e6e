import type { Db, Deposit, Prisma, Tx } from "@agrinet/db";
import { lockDeposit } from "@agrinet/stores/deposits";
import { confirmDepositInTx } from "./confirm-deposit";
import { postDepositRefund } from "./deposit-ledger";
import { emitDepositEvent } from "./deposit-events";
import { failDepositInTx } from "./fail-deposit";
import { depositTransactionOptions } from "./deposit-transaction";
import { recordProviderMismatch } from "../reconciliation/record-provider-mismatch";

/** The parts of a verified Stripe event this code reads; the full event is stored as received. */
export type StripeEventLike = { id: string; type: string; data: { object: unknown } };

export type HandleStripeEventOptions = {
  db: Db;
  event: StripeEventLike;
};

export type HandledStripeEvent = { replayed: boolean; outcome: string | null };

type StripeObject = Record<string, unknown>;

const text = (value: unknown): string | null => (typeof value === "string" && value ? value : null);
const integer = (value: unknown): bigint | null =>
  typeof value === "number" && Number.isSafeInteger(value) ? BigInt(value) : null;
const metadataDepositId = (object: StripeObject): string | null =>
  text((object.metadata as StripeObject | undefined)?.depositId);

/**
 * Applies one verified Stripe event exactly once. The event row is inserted first
 * (`on conflict do nothing` on Stripe's event id) in the same transaction as its effect, so a
 * replay — or two deliveries racing — finds the row and changes nothing, and an effect that
 * fails rolls the row back for Stripe to retry. Every transition is written so that events
 * arriving out of order still end in the state Stripe's last word implies.
 */
export async function handleStripeEvent(options: HandleStripeEventOptions): Promise<HandledStripeEvent> {
  const { event } = options;
  return options.db.$transaction(async (tx) => {
    const [stored] = await tx.stripeEvent.createManyAndReturn({
      data: [{ id: event.id, type: event.type, payload: event as unknown as Prisma.InputJsonValue }],
      skipDuplicates: true,
    });
    if (!stored) {
      const first = await tx.stripeEvent.findUnique({ where: { id: event.id }, select: { outcome: true } });
      return { replayed: true, outcome: first?.outcome ?? null };
    }
    const outcome = await applyStripeEvent(tx, event);
    await tx.stripeEvent.update({ where: { id: event.id }, data: { processedAt: new Date(), outcome } });
    return { replayed: false, outcome };
  }, depositTransactionOptions);
}

async function applyStripeEvent(tx: Tx, event: StripeEventLike): Promise<string> {
  const object = (event.data?.object ?? {}) as StripeObject;
  if (event.type.startsWith("transfer.") || event.type.startsWith("payout.")) {
    // Stored once here; the webhook route hands them to payouts after this commit.
    return "handed_to_payouts";
  }
  switch (event.type) {
    case "payment_intent.succeeded":
      return paymentSucceeded(tx, object);
    case "payment_intent.payment_failed":
      return paymentFailed(tx, object);
    case "charge.refunded":
      return chargeRefunded(tx, object);
    default:
      return "ignored";
  }
}

async function depositForPaymentIntent(tx: Tx, paymentIntentId: string | null, depositId: string | null) {
  if (depositId) {
    const deposit = await tx.deposit.findUnique({ where: { id: depositId } });
    if (deposit) return deposit;
  }
  if (!paymentIntentId) return null;
  return tx.deposit.findUnique({ where: { stripePaymentIntentId: paymentIntentId } });
}

/** Stripe must have moved exactly the deposit's money: anything else is left for a human. */
function mismatch(deposit: Deposit, amount: bigint | null, currency: string | null): string | null {
  if (deposit.method !== "stripe") return "not_a_stripe_deposit";
  if (currency?.toUpperCase() !== deposit.currency) return "currency_mismatch";
  if (amount !== deposit.amount) return "amount_mismatch";
  return null;
}

async function confirmFromStripe(tx: Tx, deposit: Deposit, paymentIntentId: string | null) {
  return confirmDepositInTx(tx, {
    depositId: deposit.id,
    confirmedBy: "stripe",
    stripePaymentIntentId: paymentIntentId,
    settledByStripe: true,
  });
}

async function paymentSucceeded(tx: Tx, intent: StripeObject): Promise<string> {
  const paymentIntentId = text(intent.id);
  const deposit = await depositForPaymentIntent(tx, paymentIntentId, metadataDepositId(intent));
  if (!deposit) return "ignored_unknown_deposit";
  const amount = integer(intent.amount_received);
  const problem = mismatch(deposit, amount, text(intent.currency));
  if (problem === "amount_mismatch" || problem === "currency_mismatch") {
    await recordProviderMismatch(tx, {
      source: "stripe",
      eventKey: `payment_intent:${paymentIntentId}:${amount}:${text(intent.currency)}`,
      reference: paymentIntentId ?? deposit.id,
      kind: problem,
      ourAmount: deposit.amount,
      theirAmount: amount,
      currency: deposit.currency,
      detail: `deposit ${deposit.id}: Stripe reports ${amount} ${text(intent.currency)}, the deposit is ${deposit.amount} ${deposit.currency}`,
    });
  }
  if (problem) return problem;
  const result = await confirmFromStripe(tx, deposit, paymentIntentId);
  return result.ledgerTransaction ? "confirmed" : "already_confirmed";
}

async function paymentFailed(tx: Tx, intent: StripeObject): Promise<string> {
  const paymentIntentId = text(intent.id);
  const deposit = await depositForPaymentIntent(tx, paymentIntentId, metadataDepositId(intent));
  if (!deposit) return "ignored_unknown_deposit";
  if (deposit.method !== "stripe") return "not_a_stripe_deposit";
  // A declined deposit tried again with another card has a new PaymentIntent: the old one's
  // failure, arriving late, is not this attempt's.
  if (paymentIntentId && deposit.stripePaymentIntentId && deposit.stripePaymentIntentId !== paymentIntentId) {
    return "ignored_superseded_payment_intent";
  }
  const lastError = (intent.last_payment_error ?? {}) as StripeObject;
  // A later success (payment_intent.succeeded) still confirms: see confirmDepositInTx.
  const result = await failDepositInTx(tx, {
    depositId: deposit.id,
    reason: text(lastError.message) ?? "Stripe reported the payment failed",
    failureCode: text(lastError.decline_code) ?? text(lastError.code) ?? "payment_failed",
    stripePaymentIntentId: paymentIntentId,
    settledByStripe: true,
  });
  return result.changed ? "failed" : `unchanged_${result.deposit.status}`;
}

async function chargeRefunded(tx: Tx, charge: StripeObject): Promise<string> {
  const paymentIntentId = text(charge.payment_intent);
  const found = await depositForPaymentIntent(tx, paymentIntentId, metadataDepositId(charge));
  if (!found) return "ignored_unknown_deposit";
  const problem = mismatch(found, integer(charge.amount_captured) ?? integer(charge.amount), text(charge.currency));
  if (problem) return problem;
  // A refund proves the charge succeeded, even if its succeeded event has not arrived yet.
  if (found.status !== "confirmed") await confirmFromStripe(tx, found, paymentIntentId);
  // Serialise refunds of one deposit: the refunded total is read and advanced under the lock.
  await lockDeposit(tx, found.id);
  const deposit = await tx.deposit.findUniqueOrThrow({ where: { id: found.id } });
  const refundedTotal = integer(charge.amount_refunded) ?? 0n;
  if (refundedTotal > deposit.amount) return "refund_exceeds_deposit";
  const delta = refundedTotal - deposit.refundedAmount;
  // Refund events can arrive out of order; only a larger cumulative total moves money.
  if (delta <= 0n) return "refund_already_posted";
  await postDepositRefund(tx, deposit, delta, refundedTotal);
  const updated = await tx.deposit.update({ where: { id: deposit.id }, data: { refundedAmount: refundedTotal } });
  await emitDepositEvent(tx, "deposit.refunded", updated, { refundedAmount: delta, refundedTotal });
  return "refunded";
}
