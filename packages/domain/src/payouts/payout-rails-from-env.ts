import { BankTransferRail, createStripeClient, DarajaB2cRail, StripeTransferRail } from "@agrinet/rails";
import type { RailsByDestination } from "./process-payout";

export type PayoutRailsEnv = {
  STRIPE_KEY?: string | undefined;
  STRIPE_API_BASE?: string | undefined;
  MPESA_BASE_URL?: string | undefined;
  MPESA_CONSUMER_KEY?: string | undefined;
  MPESA_CONSUMER_SECRET?: string | undefined;
  MPESA_SHORTCODE?: string | undefined;
  MPESA_INITIATOR_NAME?: string | undefined;
  MPESA_SECURITY_CREDENTIAL?: string | undefined;
  MPESA_CALLBACK_BASE_URL?: string | undefined;
  MPESA_CALLBACK_TOKEN?: string | undefined;
};

const mpesaVariables = [
  "MPESA_BASE_URL",
  "MPESA_CONSUMER_KEY",
  "MPESA_CONSUMER_SECRET",
  "MPESA_SHORTCODE",
  "MPESA_INITIATOR_NAME",
  "MPESA_SECURITY_CREDENTIAL",
  "MPESA_CALLBACK_BASE_URL",
  "MPESA_CALLBACK_TOKEN",
] as const;

/**
 * The rails this process can pay over. A rail whose settings are absent is left out: payouts
 * to it stay queued (the worker retries) until it is configured. Half-configured M-Pesa is a
 * configuration mistake and is reported by name.
 */
export function createPayoutRailsFromEnv(env: PayoutRailsEnv): RailsByDestination {
  const rails: RailsByDestination = { bank: new BankTransferRail() };
  const missing = mpesaVariables.filter((name) => !env[name]);
  if (missing.length < mpesaVariables.length) {
    if (missing.length > 0) {
      throw new Error(`M-Pesa is partly configured: set ${missing.join(", ")} (or none of the MPESA_* variables)`);
    }
    rails.mpesa = new DarajaB2cRail({
      baseUrl: env.MPESA_BASE_URL!,
      consumerKey: env.MPESA_CONSUMER_KEY!,
      consumerSecret: env.MPESA_CONSUMER_SECRET!,
      shortcode: env.MPESA_SHORTCODE!,
      initiatorName: env.MPESA_INITIATOR_NAME!,
      securityCredential: env.MPESA_SECURITY_CREDENTIAL!,
      callbackBaseUrl: env.MPESA_CALLBACK_BASE_URL!,
      callbackToken: env.MPESA_CALLBACK_TOKEN!,
    });
  }
  if (env.STRIPE_KEY) {
    rails.stripe = new StripeTransferRail(createStripeClient({ apiKey: env.STRIPE_KEY, apiBase: env.STRIPE_API_BASE }));
  }
  return rails;
}
