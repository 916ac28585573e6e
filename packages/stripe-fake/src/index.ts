export { startStripeFake } from "./stripe-fake-server";
export type { StripeFake, StripeFakeOptions } from "./stripe-fake-server";
export { sendStripeWebhook, signStripeWebhook, stripeEvent } from "./webhooks";
