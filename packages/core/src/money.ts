import currencyCodes from "currency-codes";
import { z } from "zod";

/**
 * Currencies the platform holds balances in. Exponents come from ISO 4217 (the
 * `currency-codes` package), never from a table of our own.
 */
export const supportedCurrencies = ["KES", "TZS", "UGX", "USD"] as const;
export type CurrencyCode = (typeof supportedCurrencies)[number];

export function isSupportedCurrency(code: string): code is CurrencyCode {
  return (supportedCurrencies as readonly string[]).includes(code);
}

const exponents = new Map<string, number>(
  supportedCurrencies.map((code) => {
    const entry = currencyCodes.code(code);
    if (!entry) throw new Error(`ISO 4217 has no currency ${code}`);
    return [code, entry.digits];
  }),
);

export function currencyExponent(code: CurrencyCode): number {
  return exponents.get(code)!;
}

/**
 * AMOUNT_MAX's default: the largest amount one deposit, payout or contract may carry, in minor
 * units (10 billion in a two-decimal currency). Far below int8, so sums over many such rows
 * stay meaningful, and a typo of a few digits is refused instead of booked.
 */
export const defaultAmountMax = 1_000_000_000_000n;

/** The issue for an amount above the business maximum, or null. */
export function amountAboveMaximum(path: string, amount: bigint, max: bigint = defaultAmountMax) {
  return amount > max ? { path, message: `must be at most ${max} minor units (AMOUNT_MAX)` } : null;
}

/** PostgreSQL bigint range: amounts beyond it could never be stored. */
export const maxMinorUnits = 9_223_372_036_854_775_807n;

/**
 * What OpenAPI says of an amount input: an integer or a string of digits, both bounded. The
 * integer's bounds are JSON numbers, so a client generator sees the range a number can carry
 * exactly; larger amounts go as strings.
 */
function amountDocument(bounds: { minimum: bigint; pattern: string }) {
  return ({ jsonSchema }: { jsonSchema: Record<string, unknown> }) => {
    delete jsonSchema.type;
    jsonSchema.anyOf = [
      {
        type: "integer",
        minimum: Math.max(Number(bounds.minimum), Number.MIN_SAFE_INTEGER),
        maximum: Number.MAX_SAFE_INTEGER,
      },
      { type: "string", pattern: bounds.pattern },
    ];
  };
}

/**
 * Amounts on the wire: a JSON integer (as the spec's examples give them) or a string of digits.
 * Floats, exponents, signs other than a leading minus, and unsafe integers are refused so that
 * no amount is ever rounded on the way in.
 */
export const minorUnitsInput = z
  .union([z.string(), z.number()], {
    error: "expected an integer amount in minor units (number or string of digits)",
  })
  .meta({
    description: "Amount in minor units of the currency: a JSON integer or a string of digits",
    examples: [250000, "250000"],
    override: amountDocument({ minimum: -maxMinorUnits, pattern: "^-?\\d{1,19}$" }),
  })
  .transform((value, ctx) => {
    if (typeof value === "number") {
      if (!Number.isSafeInteger(value)) {
        ctx.addIssue({
          code: "custom",
          message: Number.isInteger(value)
            ? "amount is too large to be exact as a JSON number; send it as a string"
            : "expected an integer amount in minor units, not a fraction",
        });
        return z.NEVER;
      }
      return BigInt(value);
    }
    if (!/^-?\d{1,19}$/.test(value)) {
      ctx.addIssue({ code: "custom", message: "expected a string of digits (minor units)" });
      return z.NEVER;
    }
    const amount = BigInt(value);
    if (amount > maxMinorUnits || amount < -maxMinorUnits) {
      ctx.addIssue({ code: "custom", message: "amount is out of range" });
      return z.NEVER;
    }
    return amount;
  });

export const positiveMinorUnitsInput = minorUnitsInput
  .refine((amount) => amount > 0n, { message: "amount must be greater than zero" })
  .meta({
    description: "Amount in minor units of the currency, greater than zero: a JSON integer or a string of digits",
    examples: [250000, "250000"],
    override: amountDocument({ minimum: 1n, pattern: "^[1-9]\\d{0,18}$" }),
  });

/**
 * Amounts leave the API as strings of digits. The trailing pipe gives OpenAPI generators
 * (zod-openapi) the wire type; a bare transform has none.
 */
export const minorUnitsOutput = z
  .bigint()
  .transform((amount) => amount.toString())
  .pipe(
    z.string().regex(/^-?\d+$/).meta({
      description: "Amount in minor units of the currency, as a string of digits",
      example: "250000",
    }),
  );

export const currencyInput = z
  .string({ error: "expected an ISO 4217 currency code" })
  .transform((code) => code.toUpperCase())
  .refine(isSupportedCurrency, {
    message: `unsupported currency; supported: ${supportedCurrencies.join(", ")}`,
  })
  .transform((code) => code as CurrencyCode)
  .meta({ description: "ISO 4217 currency code", override: { type: "string", enum: [...supportedCurrencies] } });

/** An instant in a query or body: ISO 8601 (a date, or a date and time). */
export function instantInput(error?: string) {
  return z.coerce
    .date(error ? { error } : undefined)
    .meta({ override: { type: "string", format: "date-time", description: "ISO 8601 date or date-time" } });
}

/** "250000" KES → "2,500.00"; used for display and CSV columns, never for arithmetic. */
export function formatMinorUnits(amount: bigint, currency: CurrencyCode): string {
  const exponent = currencyExponent(currency);
  const negative = amount < 0n;
  const digits = (negative ? -amount : amount).toString().padStart(exponent + 1, "0");
  const whole = digits.slice(0, digits.length - exponent).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const fraction = exponent ? `.${digits.slice(digits.length - exponent)}` : "";
  return `${negative ? "-" : ""}${whole}${fraction}`;
}

/**
 * "2,500.50" KES → 250050n: what a person types, in the currency's major units, to exact minor
 * units (never through a float). Null when it is not such an amount or has more decimals than
 * the currency.
 */
export function parseMajorUnits(text: string, currency: CurrencyCode): bigint | null {
  const match = /^(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) return null;
  const exponent = currencyExponent(currency);
  const fraction = match[2] ?? "";
  if (fraction.length > exponent) return null;
  const amount = BigInt(match[1]!.replaceAll(",", "") + fraction.padEnd(exponent, "0"));
  return amount > maxMinorUnits ? null : amount;
}
