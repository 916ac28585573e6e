import { BankTransferRail } from "./bank/bank-transfer-rail";
import { DarajaB2cRail } from "./mpesa/daraja-b2c-rail";
import { DarajaCollections } from "./mpesa/daraja-collections";
import type { PayoutRail, PayoutRailName } from "./payout-rail";
import { createStripeClient } from "./stripe/stripe-client";
import { StripeTransferRail } from "./stripe/stripe-transfer-rail";

// The apps build their rails from their environment here (each app's env.ts reads and
// validates the variables; this turns them into configured clients).

export type PayoutRailsByName = Partial<Record<PayoutRailName, PayoutRail>>;

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
export function createPayoutRailsFromEnv(env: PayoutRailsEnv): PayoutRailsByName {
  const rails: PayoutRailsByName = { bank: new BankTransferRail() };
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

/** Collections settings as the domain takes them (`MpesaCollectionsSettings`). */
export type MpesaCollectionsFromEnv = { client: DarajaCollections; stkTimeoutMs: number; stkMaxQueries: number };

export type MpesaCollectionsEnv = {
  MPESA_BASE_URL?: string | undefined;
  MPESA_CONSUMER_KEY?: string | undefined;
  MPESA_CONSUMER_SECRET?: string | undefined;
  MPESA_SHORTCODE?: string | undefined;
  MPESA_INITIATOR_NAME?: string | undefined;
  MPESA_SECURITY_CREDENTIAL?: string | undefined;
  MPESA_CALLBACK_BASE_URL?: string | undefined;
  MPESA_CALLBACK_TOKEN?: string | undefined;
  MPESA_STK_SHORTCODE?: string | undefined;
  MPESA_STK_PASSKEY?: string | undefined;
  MPESA_C2B_SHORTCODE?: string | undefined;
  MPESA_C2B_CALLBACK_BASE_URL?: string | undefined;
  MPESA_STK_TIMEOUT_SECONDS: number;
  MPESA_STK_MAX_QUERIES: number;
};

/**
 * C2B callback URLs may not contain "mpesa": by default they sit beside the M-Pesa callbacks,
 * under …/payments/paybill instead of …/payments/mpesa.
 */
export function defaultC2bCallbackBaseUrl(callbackBaseUrl: string): string {
  return callbackBaseUrl.replace(/\/+$/, "").replace(/\/mpesa$/i, "/paybill");
}

/**
 * Collections are on when M-Pesa is configured (the MPESA_* variables B2C uses) and an STK
 * passkey is set; null otherwise (deposits with a phoneNumber are then refused by name).
 */
export function createMpesaCollectionsFromEnv(env: MpesaCollectionsEnv): MpesaCollectionsFromEnv | null {
  if (
    !env.MPESA_STK_PASSKEY ||
    !env.MPESA_BASE_URL ||
    !env.MPESA_CONSUMER_KEY ||
    !env.MPESA_CONSUMER_SECRET ||
    !env.MPESA_CALLBACK_BASE_URL ||
    !env.MPESA_CALLBACK_TOKEN
  ) {
    return null;
  }
  const stkShortcode = env.MPESA_STK_SHORTCODE ?? env.MPESA_SHORTCODE;
  const c2bShortcode = env.MPESA_C2B_SHORTCODE ?? env.MPESA_SHORTCODE;
  if (!stkShortcode || !c2bShortcode) {
    throw new Error("M-Pesa collections need MPESA_STK_SHORTCODE and MPESA_C2B_SHORTCODE (or MPESA_SHORTCODE for both)");
  }
  return {
    client: new DarajaCollections({
      baseUrl: env.MPESA_BASE_URL,
      consumerKey: env.MPESA_CONSUMER_KEY,
      consumerSecret: env.MPESA_CONSUMER_SECRET,
      stkShortcode,
      stkPasskey: env.MPESA_STK_PASSKEY,
      c2bShortcode,
      initiatorName: env.MPESA_INITIATOR_NAME,
      securityCredential: env.MPESA_SECURITY_CREDENTIAL,
      callbackBaseUrl: env.MPESA_CALLBACK_BASE_URL,
      c2bCallbackBaseUrl: env.MPESA_C2B_CALLBACK_BASE_URL ?? defaultC2bCallbackBaseUrl(env.MPESA_CALLBACK_BASE_URL),
      callbackToken: env.MPESA_CALLBACK_TOKEN,
    }),
    stkTimeoutMs: env.MPESA_STK_TIMEOUT_SECONDS * 1000,
    stkMaxQueries: env.MPESA_STK_MAX_QUERIES,
  };
}
