import { currencyExponent, isSupportedCurrency, type CurrencyCode } from "@agrinet/core";
import { createHash } from "node:crypto";
import type { ParsedStatementRow } from "./statement-types";

/** M-Pesa and Kenyan banks print local time: East Africa Time, UTC+3 all year. */
export const eastAfricaOffsetMinutes = 180;

/**
 * A decimal amount as statements print it ("1,800.00", "-300.00", "(300.00)", "KES 5 000",
 * "1.800,00" is not accepted: the decimal point is a point) in minor units, or null.
 */
export function parseStatementAmount(text: string, currency: CurrencyCode): bigint | null {
  let value = text.trim().replace(/^(KES|KSH|KSHS|TZS|TSH|UGX|USH|USD|\$)\s*/i, "").replace(/[\s,'_]/g, "");
  if (value === "") return null;
  let negative = false;
  if (/^\(.*\)$/.test(value)) {
    negative = true;
    value = value.slice(1, -1);
  }
  if (value.startsWith("-")) {
    negative = !negative;
    value = value.slice(1);
  } else if (value.startsWith("+")) value = value.slice(1);
  const exponent = currencyExponent(currency);
  const match = /^(\d+)(?:\.(\d+))?$/.exec(value);
  if (!match) return null;
  const fraction = (match[2] ?? "").replace(/0+$/, "");
  if (fraction.length > exponent) return null;
  const minor = BigInt(match[1]!) * 10n ** BigInt(exponent) + BigInt(fraction.padEnd(exponent, "0") || "0");
  return negative ? -minor : minor;
}

const monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const monthOf = (text: string) => (/^\d+$/.test(text) ? Number(text) : monthNames.indexOf(text.toLowerCase()) + 1);

/**
 * A statement time: ISO 8601 (with or without offset), yyyy-mm-dd, dd-mm-yyyy, dd/mm/yyyy,
 * dd.mm.yyyy or dd-Mon-yyyy, each with an optional HH:MM[:SS] [AM|PM]. Without an offset it is
 * local time at `offsetMinutes`. Day-first, as Kenyan exports print it.
 */
export function parseStatementTime(text: string, offsetMinutes = eastAfricaOffsetMinutes): Date | null {
  const value = text.trim();
  if (/^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/.test(value)) {
    const at = Date.parse(value);
    return Number.isNaN(at) ? null : new Date(at);
  }
  const match =
    /^(\d{1,4})[-/.](\d{1,2}|[A-Za-z]{3})[-/.](\d{2,4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*([AaPp][Mm])?)?$/.exec(value);
  if (!match) return null;
  const [, first, second, third] = match as unknown as string[];
  let year: number, month: number, day: number;
  if (first!.length === 4) {
    year = Number(first);
    month = monthOf(second!);
    day = Number(third);
  } else {
    day = Number(first);
    month = monthOf(second!);
    year = Number(third!.length === 2 ? `20${third}` : third);
  }
  let hour = Number(match[4] ?? 0);
  const minute = Number(match[5] ?? 0);
  const secondOfMinute = Number(match[6] ?? 0);
  const meridiem = match[7]?.toLowerCase();
  if (meridiem) {
    if (hour < 1 || hour > 12) return null;
    hour = (hour % 12) + (meridiem === "pm" ? 12 : 0);
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || secondOfMinute > 59) return null;
  const utc = Date.UTC(year, month - 1, day, hour, minute, secondOfMinute);
  const check = new Date(utc);
  if (check.getUTCDate() !== day) return null;
  return new Date(utc - offsetMinutes * 60_000);
}

export function statementCurrency(text: string | undefined | null): CurrencyCode | null {
  const code = (text ?? "").trim().toUpperCase();
  return isSupportedCurrency(code) ? code : null;
}

/** Lower-case letters and digits only: "Receipt No." and "receipt_no" are the same column. */
export function normalizeHeader(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]/g, "");
}

/**
 * What makes a line the same line in two statements: its reference, signed amount and currency
 * (a line without a reference: its day and description instead), and which occurrence of such
 * a line it is within its file, so a line printed twice in one file is two lines, and the same
 * file imported twice adds nothing.
 */
export function assignLineIdentities(rows: readonly ParsedStatementRow[]): string[] {
  const seen = new Map<string, number>();
  return rows.map((row) => {
    const what =
      row.reference ??
      `~${row.bookedAt.toISOString().slice(0, 10)}:${createHash("sha256").update(row.description).digest("base64url").slice(0, 16)}`;
    const base = `${what}|${row.amount}|${row.currency}`;
    const occurrence = (seen.get(base) ?? 0) + 1;
    seen.set(base, occurrence);
    return `${base}#${occurrence}`;
  });
}

/** The first and last booking time (a loop: a spread of 100,000 times overflows the stack). */
export function bookingRange(rows: readonly ParsedStatementRow[]): { from: Date | null; to: Date | null } {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const row of rows) {
    const at = row.bookedAt.getTime();
    if (at < min) min = at;
    if (at > max) max = at;
  }
  return rows.length ? { from: new Date(min), to: new Date(max) } : { from: null, to: null };
}
