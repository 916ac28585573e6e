import { DomainError, validationError } from "@agrinet/core";
import Stripe from "stripe";

export type StripeDepositCharge = {
  /** Our deposit id: `metadata.depositId`, and the idempotency key unless `idempotencyKey` is given. */
  depositId: string;
  /** Stripe's idempotency key for this attempt (a retry with another card is a new attempt). */
  idempotencyKey?: string;
  amount: bigint;
  currency: string;
  paymentMethodId: string;
  customerId?: string;
  /** Where a 3-D Secure redirect returns; without it the client confirms with Stripe.js. */
  returnUrl?: string;
  description?: string;
};

export type StripeDepositOutcome =
  | { kind: "succeeded"; paymentIntentId: string; amountReceived: bigint }
  | { kind: "requires-action"; paymentIntentId: string; clientSecret: string; redirectUrl: string | null }
  | { kind: "processing"; paymentIntentId: string }
  | { kind: "declined"; paymentIntentId: string | null; code: string; declineCode: string | null; message: string };

/**
 * Creates and confirms a card PaymentIntent for a deposit in one idempotent call: a retry with
 * the same deposit id returns Stripe's first answer instead of charging again.
 */
export async function chargeStripeDeposit(stripe: Stripe, charge: StripeDepositCharge): Promise<StripeDepositOutcome> {
  if (charge.amount <= 0n || charge.amount > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw validationError([{ path: "amount", message: "is outside what Stripe accepts" }]);
  }
  let intent: Stripe.PaymentIntent;
  try {
    intent = await stripe.paymentIntents.create(
      {
        amount: Number(charge.amount),
        currency: charge.currency.toLowerCase(),
        payment_method: charge.paymentMethodId,
        // Without a return URL there is nowhere to come back to from a redirect-only method.
        automatic_payment_methods: { enabled: true, allow_redirects: charge.returnUrl ? "always" : "never" },
        confirm: true,
        metadata: { depositId: charge.depositId },
        ...(charge.customerId ? { customer: charge.customerId } : {}),
        ...(charge.returnUrl ? { return_url: charge.returnUrl } : {}),
        ...(charge.description ? { description: charge.description } : {}),
      },
      { idempotencyKey: charge.idempotencyKey ?? charge.depositId },
    );
  } catch (error) {
    return declinedOrThrow(error);
  }
  return paymentIntentOutcome(intent);
}

/** Maps a PaymentIntent (from a create, a retrieve or a webhook) onto a deposit outcome. */
export function paymentIntentOutcome(intent: Stripe.PaymentIntent): StripeDepositOutcome {
  switch (intent.status) {
    case "succeeded":
      return { kind: "succeeded", paymentIntentId: intent.id, amountReceived: BigInt(intent.amount_received) };
    case "requires_action":
      return {
        kind: "requires-action",
        paymentIntentId: intent.id,
        clientSecret: intent.client_secret ?? "",
        redirectUrl: intent.next_action?.redirect_to_url?.url ?? null,
      };
    case "processing":
      return { kind: "processing", paymentIntentId: intent.id };
    default: {
      const lastError = intent.last_payment_error;
      return {
        kind: "declined",
        paymentIntentId: intent.id,
        code: lastError?.code ?? intent.status,
        declineCode: lastError?.decline_code ?? null,
        message: lastError?.message ?? `The payment ended in status ${intent.status}`,
      };
    }
  }
}

function declinedOrThrow(error: unknown): StripeDepositOutcome {
  if (error instanceof Stripe.errors.StripeCardError) {
    return {
      kind: "declined",
      paymentIntentId: error.payment_intent?.id ?? null,
      code: error.code ?? "card_declined",
      declineCode: error.decline_code ?? null,
      message: error.message,
    };
  }
  if (error instanceof Stripe.errors.StripeIdempotencyError) {
    throw new DomainError("IDEMPOTENCY_KEY_REUSED", "This deposit was already sent to Stripe with different details", { cause: error });
  }
  if (error instanceof Stripe.errors.StripeInvalidRequestError && error.param === "payment_method") {
    throw validationError([{ path: "paymentMethodId", message: error.message }]);
  }
  if (
    error instanceof Stripe.errors.StripeConnectionError ||
    error instanceof Stripe.errors.StripeAPIError ||
    error instanceof Stripe.errors.StripeRateLimitError
  ) {
    throw new DomainError("SERVICE_UNAVAILABLE", `Stripe is unavailable, try again: ${error.message}`, { cause: error });
  }
  throw error;
}
