import { validationError } from "@agrinet/core";
import Stripe from "stripe";

export type StripeWebhookInput = {
  /** The raw request bytes exactly as received: a re-serialised body never verifies. */
  payload: string | Buffer;
  signature: string | string[] | undefined;
  secret: string;
  /** Oldest accepted signature timestamp; Stripe's default is 300 s. */
  toleranceSeconds?: number;
};

/** Verifies a Stripe webhook and returns its event; VALIDATION_FAILED names `stripe-signature`. */
export function verifyStripeWebhook(input: StripeWebhookInput): Stripe.Event {
  const signature = Array.isArray(input.signature) ? input.signature[0] : input.signature;
  if (!signature) {
    throw validationError([{ path: "stripe-signature", message: "header is missing" }]);
  }
  try {
    return Stripe.webhooks.constructEvent(
      input.payload,
      signature,
      input.secret,
      input.toleranceSeconds ?? Stripe.webhooks.DEFAULT_TOLERANCE,
    );
  } catch (error) {
    if (error instanceof Stripe.errors.StripeSignatureVerificationError) {
      throw validationError([{ path: "stripe-signature", message: error.message }]);
    }
    throw validationError([{ path: "body", message: "is not a Stripe event" }]);
  }
}
