import Stripe from "stripe";

export type StripeClientOptions = {
  /** STRIPE_KEY: a secret key (sk_live_…, sk_test_…) or restricted key. */
  apiKey: string;
  /** STRIPE_API_BASE, e.g. http://127.0.0.1:12111: another server speaking Stripe's API. Unset: Stripe itself. */
  apiBase?: string | undefined;
  maxNetworkRetries?: number;
  timeoutMs?: number;
};

/** The one place a Stripe SDK client is built, so every caller honours STRIPE_API_BASE alike. */
export function createStripeClient(options: StripeClientOptions): Stripe {
  const config: ConstructorParameters<typeof Stripe>[1] = {
    maxNetworkRetries: options.maxNetworkRetries ?? 2,
    timeout: options.timeoutMs ?? 30_000,
    telemetry: false,
  };
  if (options.apiBase) {
    const base = new URL(options.apiBase);
    const protocol = base.protocol.replace(":", "");
    if (protocol !== "http" && protocol !== "https") {
      throw new Error(`STRIPE_API_BASE must be an http(s) URL, got ${options.apiBase}`);
    }
    config.host = base.hostname;
    config.port = base.port || (protocol === "https" ? 443 : 80);
    config.protocol = protocol;
  }
  return new Stripe(options.apiKey, config);
}
