import { z } from "zod";
import { envVars } from "./env";

/** The spec's payment settings; the API and the worker both read them (through their env.ts). */
export const paymentsEnvShape = {
  NTARI_LEDGER_ACCOUNT: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{1,62}$/, "expected a lowercase account name such as ntari-platform")
    .default("ntari-platform"),
  STRIPE_KEY: z
    .string()
    .regex(/^(sk|rk)_(test|live)_\w+$/, "expected a Stripe secret key (sk_test_… or sk_live_…)")
    .optional(),
  /** Points the Stripe SDK at another server (a fake in tests, a proxy); unset means Stripe. */
  STRIPE_API_BASE: envVars.url.optional(),
  PAYOUTS_WEBHOOK_SECRET: z
    .string()
    .regex(/^whsec_\w+$/, "expected a Stripe webhook signing secret (whsec_…)")
    .optional(),
  DEPOSIT_MIN_AMOUNT: envVars.minorUnits(1000n),
  PAYOUT_MIN_AMOUNT: envVars.minorUnits(500n),
};
