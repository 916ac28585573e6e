import Stripe from "stripe";
import type { PayoutOutcome, PayoutRail, PayoutRequest, PayoutStatus } from "../payout-rail";

/**
 * Stripe Connect payouts: a Transfer from the platform balance to the producer's connected
 * account. The request's provider key (the payout id, or `<id>-a<n>` after a final failure) is
 * both the idempotency key and the transfer_group, so a status query can find the transfer again
 * after a crash (Stripe keeps idempotency keys for 24 hours only).
 */
export class StripeTransferRail implements PayoutRail {
  readonly name = "stripe" as const;

  constructor(private readonly stripe: Stripe) {}

  async send(payout: PayoutRequest): Promise<PayoutOutcome> {
    if (payout.destination.type !== "stripe" || !payout.destination.account.startsWith("acct_")) {
      return { kind: "failed-final", code: "INVALID_DESTINATION", message: "destination.account must be a Stripe connected account id (acct_…)" };
    }
    if (payout.amount <= 0n || payout.amount > BigInt(Number.MAX_SAFE_INTEGER)) {
      return { kind: "failed-final", code: "INVALID_AMOUNT", message: "amount is outside what Stripe accepts" };
    }
    try {
      const transfer = await this.stripe.transfers.create(
        {
          amount: Number(payout.amount),
          currency: payout.currency.toLowerCase(),
          destination: payout.destination.account,
          transfer_group: payout.providerKey,
          metadata: { payoutId: payout.payoutId, providerKey: payout.providerKey },
          ...(payout.remarks ? { description: payout.remarks } : {}),
        },
        { idempotencyKey: payout.providerKey },
      );
      return { kind: "paid", providerReference: transfer.id, details: { destination: transfer.destination } };
    } catch (error) {
      return classifyStripeError(error);
    }
  }

  async queryStatus(providerKey: string): Promise<PayoutStatus> {
    try {
      const transfers = await this.stripe.transfers.list({ transfer_group: providerKey, limit: 1 });
      const transfer = transfers.data[0];
      if (!transfer) return { kind: "not-found" };
      if (transfer.reversed) {
        return { kind: "failed-final", code: "STRIPE_TRANSFER_REVERSED", message: "the transfer was reversed", providerReference: transfer.id };
      }
      return { kind: "paid", providerReference: transfer.id };
    } catch (error) {
      return classifyStripeError(error);
    }
  }
}

/** Transport, rate-limit and Stripe-side errors are retried; a refused request is final. */
export function classifyStripeError(error: unknown): Exclude<PayoutOutcome, { kind: "paid" | "pending-callback" }> {
  if (!(error instanceof Stripe.errors.StripeError)) {
    return { kind: "retryable", code: "STRIPE_UNKNOWN", message: String(error) };
  }
  const code = `STRIPE_${(error.code ?? error.type).toUpperCase()}`;
  if (
    error instanceof Stripe.errors.StripeConnectionError ||
    error instanceof Stripe.errors.StripeAPIError ||
    error instanceof Stripe.errors.StripeRateLimitError ||
    error instanceof Stripe.errors.StripeAuthenticationError ||
    (error.statusCode !== undefined && error.statusCode >= 500)
  ) {
    return { kind: "retryable", code, message: error.message };
  }
  return { kind: "failed-final", code, message: error.message };
}
