import { z } from "zod";
import { envVars } from "./env";
import { defaultAmountMax } from "./money";

/**
 * The payment settings' defaults, in one place: the environment's (below), and the router's and
 * the API's when a context or an app is built without an environment (tests, scripts).
 */
export const paymentDefaults = {
  /** DEPOSIT_MIN_AMOUNT, minor units. */
  depositMinAmount: 1000n,
  /** PAYOUT_MIN_AMOUNT, minor units. */
  payoutMinAmount: 500n,
  /** PAYOUT_MAX_ATTEMPTS. */
  payoutMaxAttempts: 5,
  /** PAYOUTS_RUN_WAIT_SECONDS. */
  payoutsRunWaitSeconds: 15,
} as const;

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
  DEPOSIT_MIN_AMOUNT: envVars.minorUnits(paymentDefaults.depositMinAmount),
  PAYOUT_MIN_AMOUNT: envVars.minorUnits(paymentDefaults.payoutMinAmount),
  /** The largest amount of one deposit, payout or contract, in minor units. */
  AMOUNT_MAX: envVars.minorUnits(defaultAmountMax),
  /**
   * A saved payout destination is payable only once this many hours old (#21: a stolen key that
   * adds a phone number cannot pay to it at once). 0: at once, as the spec's example does.
   */
  PAYOUT_DESTINATION_COOLING_OFF_HOURS: z.coerce
    .number({ message: "expected a whole number of hours" })
    .int("expected a whole number of hours")
    .min(0, "expected 0 or more hours")
    .max(24 * 365, "expected at most a year of hours")
    .default(0),
  /** Worker attempts per payout before a retryable failure (provider busy, network) is final. */
  PAYOUT_MAX_ATTEMPTS: envVars.positiveInt(paymentDefaults.payoutMaxAttempts),
  /** How long `POST /admin/payouts/run` waits for its batch before answering with counts so far. */
  PAYOUTS_RUN_WAIT_SECONDS: envVars.positiveInt(paymentDefaults.payoutsRunWaitSeconds),
  /** Cron (graphile-worker syntax, e.g. "0 * * * *") for automatic runs; unset: runs are manual. */
  PAYOUTS_AUTO_RUN_CRON: z
    .string()
    .regex(/^(\S+\s+){4}\S+$/, "expected a five-field cron expression such as 0 * * * *")
    .optional(),
  /**
   * Partner webhooks may go to loopback and private addresses: for tests and local development
   * only. Off, receivers must be public internet addresses (no SSRF into the API's network).
   */
  WEBHOOK_ALLOW_PRIVATE_ADDRESSES: z
    .enum(["true", "false"], { message: "expected true or false" })
    .default("false")
    .transform((value) => value === "true"),
  /** How long an accepted M-Pesa payout waits for its result callback before a status query. */
  MPESA_RESULT_TIMEOUT_SECONDS: envVars.positiveInt(60),
  /** Daraja (Safaricom's API, or the local sandbox `pnpm start` runs when this is unset). */
  MPESA_BASE_URL: envVars.url.optional(),
  MPESA_CONSUMER_KEY: z.string().min(1).optional(),
  MPESA_CONSUMER_SECRET: z.string().min(1).optional(),
  /** The B2C shortcode that pays out (PartyA). */
  MPESA_SHORTCODE: z.string().regex(/^\d{5,7}$/, "expected the 5-7 digit B2C shortcode").optional(),
  MPESA_INITIATOR_NAME: z.string().min(1).optional(),
  /** The initiator password encrypted with Safaricom's certificate. */
  MPESA_SECURITY_CREDENTIAL: z.string().min(1).optional(),
  /** Public URL of this API's M-Pesa callbacks (…/payments/mpesa). */
  MPESA_CALLBACK_BASE_URL: envVars.url.optional(),
  /** Secret carried in every callback URL: Daraja signs nothing, so this proves a callback is ours. */
  MPESA_CALLBACK_TOKEN: z.string().min(16, "expected at least 16 characters").optional(),
  /** Lipa na M-Pesa Online passkey; with it, deposits with a phoneNumber send an STK Push. */
  MPESA_STK_PASSKEY: z.string().min(1).optional(),
  /** The STK Push shortcode (BusinessShortCode); defaults to MPESA_SHORTCODE. */
  MPESA_STK_SHORTCODE: z.string().regex(/^\d{5,7}$/, "expected a 5-7 digit shortcode").optional(),
  /** The paybill customers pay into (C2B); defaults to MPESA_SHORTCODE. */
  MPESA_C2B_SHORTCODE: z.string().regex(/^\d{5,7}$/, "expected a 5-7 digit shortcode").optional(),
  /** Public URL of the paybill callbacks (…/payments/paybill): Daraja refuses C2B URLs containing "mpesa". */
  MPESA_C2B_CALLBACK_BASE_URL: envVars.url.optional(),
  /** The paybill's currency. */
  MPESA_C2B_CURRENCY: z.enum(["KES", "TZS", "UGX"], { message: "expected KES, TZS or UGX" }).default("KES"),
  /**
   * Paybill payments to an unknown account (or below DEPOSIT_MIN_AMOUNT): "reject" them at
   * validation (C2B00012/C2B00013, the payer keeps the money) or take them into "suspense" for
   * staff to assign or return.
   */
  MPESA_C2B_UNKNOWN_ACCOUNTS: z.enum(["reject", "suspense"], { message: "expected reject or suspense" }).default("reject"),
  /** How long an STK Push waits for its callback before the sweeper asks STK Query. */
  MPESA_STK_TIMEOUT_SECONDS: envVars.positiveInt(30),
  /** STK Queries without a final answer before the deposit is flagged for staff. */
  MPESA_STK_MAX_QUERIES: envVars.positiveInt(8),
  /**
   * Comma-separated addresses or CIDR ranges M-Pesa callbacks may come from (Safaricom publishes
   * its own); unset: any address, the URL token alone authenticates.
   */
  MPESA_CALLBACK_ALLOWED_IPS: z
    .string()
    .optional()
    .transform((value) => (value ?? "").split(",").map((entry) => entry.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^[0-9a-fA-F:.]+(\/\d{1,3})?$/, "expected comma-separated IP addresses or CIDR ranges"))),
};
