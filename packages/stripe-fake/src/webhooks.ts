import { randomBytes } from "node:crypto";
import Stripe from "stripe";

/** A Stripe-shaped event around `object`, as a webhook endpoint receives it. */
export function stripeEvent(type: string, object: Record<string, unknown>, overrides: Record<string, unknown> = {}) {
  return {
    id: `evt_${randomBytes(12).toString("hex")}`,
    object: "event",
    api_version: Stripe.API_VERSION,
    created: Math.floor(Date.now() / 1000),
    data: { object },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    ...overrides,
  };
}

/** The `Stripe-Signature` header for `payload`, from the SDK's own test helper. */
export function signStripeWebhook(input: { payload: string; secret: string; timestamp?: number }): string {
  return Stripe.webhooks.generateTestHeaderString({
    payload: input.payload,
    secret: input.secret,
    ...(input.timestamp === undefined ? {} : { timestamp: input.timestamp }),
  });
}

/**
 * POSTs a signed event to a webhook endpoint the way Stripe does. `payload` overrides the body
 * actually sent (signature still computed over the event), to test tampering.
 */
export async function sendStripeWebhook(input: {
  url: string;
  event: object;
  secret: string;
  timestamp?: number;
  payload?: string;
}): Promise<{ status: number; body: string }> {
  const signed = JSON.stringify(input.event, null, 2);
  const signature = signStripeWebhook({ payload: signed, secret: input.secret, ...(input.timestamp === undefined ? {} : { timestamp: input.timestamp }) });
  const response = await fetch(input.url, {
    method: "POST",
    headers: { "content-type": "application/json", "stripe-signature": signature },
    body: input.payload ?? signed,
  });
  return { status: response.status, body: await response.text() };
}
