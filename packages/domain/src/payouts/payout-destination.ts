import type { CurrencyCode } from "@agrinet/core";
import { z } from "zod";

/**
 * Where a payout goes. M-Pesa numbers are E.164 in the markets the platform pays into; each
 * country's mobile-money numbers start with the prefixes below (subscriber part, 9 digits).
 */
export const mpesaCountries = {
  "254": { country: "KE", currency: "KES", mobilePrefixes: ["7", "1"] },
  "255": { country: "TZ", currency: "TZS", mobilePrefixes: ["6", "7"] },
  "256": { country: "UG", currency: "UGX", mobilePrefixes: ["7"] },
} as const satisfies Record<string, { country: string; currency: CurrencyCode; mobilePrefixes: string[] }>;

type MpesaCountryCode = keyof typeof mpesaCountries;

const e164Pattern = /^\+(\d{3})(\d{9})$/;

export const mpesaDestinationInput = z.object({
  type: z.literal("mpesa"),
  account: z
    .string({ error: "expected an E.164 phone number such as +254712345678" })
    .transform((value) => value.replace(/[\s-]/g, ""))
    .superRefine((value, ctx) => {
      const match = e164Pattern.exec(value);
      if (!match) {
        ctx.addIssue({
          code: "custom",
          message: "expected an E.164 phone number: +, country code and 9 digits (e.g. +254712345678)",
        });
        return;
      }
      const country = mpesaCountries[match[1] as MpesaCountryCode];
      if (!country) {
        ctx.addIssue({
          code: "custom",
          message: `unsupported country code +${match[1]}; supported: ${Object.keys(mpesaCountries)
            .map((c) => `+${c}`)
            .join(", ")}`,
        });
        return;
      }
      if (!(country.mobilePrefixes as readonly string[]).includes(match[2]![0]!)) {
        ctx.addIssue({
          code: "custom",
          message: `not a mobile number in ${country.country}: after +${match[1]} it must start with ${country.mobilePrefixes.join(" or ")}`,
        });
      }
    }),
});

export const stripeDestinationInput = z.object({
  type: z.literal("stripe"),
  account: z
    .string({ error: "expected a Stripe connected account id (acct_…)" })
    .regex(/^acct_[A-Za-z0-9]{6,64}$/, "expected a Stripe connected account id (acct_…)"),
});

export const bankDestinationInput = z.object({
  type: z.literal("bank"),
  accountName: z.string().trim().min(2, "account holder name is required").max(140),
  /** The account number or IBAN. */
  account: z
    .string({ error: "expected the bank account number" })
    .transform((value) => value.replace(/\s/g, "").toUpperCase())
    .pipe(z.string().regex(/^[A-Z0-9]{5,34}$/, "expected 5-34 letters or digits (account number or IBAN)")),
  bankCode: z
    .string()
    .transform((value) => value.replace(/\s/g, "").toUpperCase())
    .pipe(z.string().regex(/^[A-Z0-9]{2,11}$/, "expected the bank's code or SWIFT/BIC (2-11 letters or digits)")),
  branchCode: z.string().trim().regex(/^[A-Za-z0-9]{1,11}$/, "expected 1-11 letters or digits").optional(),
});

export const payoutDestinationInput = z.discriminatedUnion(
  "type",
  [mpesaDestinationInput, stripeDestinationInput, bankDestinationInput],
  { error: 'expected a destination with type "mpesa", "stripe" or "bank"' },
);

export type PayoutDestination = z.output<typeof payoutDestinationInput>;
export type PayoutDestinationType = PayoutDestination["type"];
export const payoutDestinationTypes = ["mpesa", "stripe", "bank"] as const;

/** Currencies each rail pays out in. */
export const railCurrencies: Record<PayoutDestinationType, readonly CurrencyCode[]> = {
  mpesa: ["KES", "TZS", "UGX"],
  stripe: ["USD", "KES"],
  bank: ["KES", "TZS", "UGX", "USD"],
};

/**
 * Does the destination fit the currency? Returns the reason it does not, or null.
 *
 * M-Pesa: a local-currency payout goes only to a number in that currency's country (TZS →
 * +255, UGX → +256). KES, the currency of the Daraja B2C account the platform pays from, may
 * go to any supported market: Safaricom converts cross-border (M-Pesa Global), which is what
 * the spec's own example does (KES to +255700123456). USD never goes to a mobile wallet.
 */
export function destinationCurrencyMismatch(
  destination: PayoutDestination,
  currency: CurrencyCode,
): string | null {
  if (!railCurrencies[destination.type].includes(currency)) {
    return `${destination.type} payouts are paid in ${railCurrencies[destination.type].join(", ")}, not ${currency}`;
  }
  if (destination.type === "mpesa" && currency !== "KES") {
    const country = mpesaCountries[destination.account.slice(1, 4) as MpesaCountryCode];
    if (country.currency !== currency) {
      return `a ${currency} M-Pesa payout must go to a ${currency} number; +${destination.account.slice(1, 4)} is ${country.country} (${country.currency}); pay it in ${country.currency} or KES`;
    }
  }
  return null;
}

/** The masked form used in logs, lists and CSV previews: +2557••••3456, acct_1A••••. */
export function describeDestination(destination: PayoutDestination): string {
  switch (destination.type) {
    case "mpesa":
      return `${destination.account.slice(0, 5)}••••${destination.account.slice(-4)}`;
    case "stripe":
      return `${destination.account.slice(0, 7)}••••`;
    case "bank":
      return `${destination.bankCode} ••••${destination.account.slice(-4)}`;
  }
}
