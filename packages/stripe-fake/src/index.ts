export { startStripeFake } from "./stripe-fake-server";
export type { StripeFake, StripeFakeOptions, StripeFakeWebhook } from "./stripe-fake-server";
export { sendStripeWebhook, signStripeWebhook, stripeEvent } from "./webhooks";
