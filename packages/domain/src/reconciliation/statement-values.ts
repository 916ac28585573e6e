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

/** The tokens a bank's saved date format may use (moment/dayjs spelling, which bank staff know). */
const dateTokens = {
  YYYY: "(\\d{4})",
  YY: "(\\d{2})",
  MMM: "([A-Za-z]{3})",
  MM: "(\\d{2})",
  M: "(\\d{1,2})",
  DD: "(\\d{2})",
  D: "(\\d{1,2})",
  HH: "(\\d{2})",
  H: "(\\d{1,2})",
  hh: "(\\d{2})",
  h: "(\\d{1,2})",
  mm: "(\\d{2})",
  ss: "(\\d{2})",
  A: "([AaPp][Mm])",
  a: "([AaPp][Mm])",
} as const;
type DateToken = keyof typeof dateTokens;
const tokenPattern = /\[([^\]]*)\]|YYYY|YY|MMM|MM|M|DD|D|HH|H|hh|h|mm|ss|A|a|T|[A-Za-z]+|[^A-Za-z[]+/g;

export type StatementDateReader = (text: string) => Date | null;

/**
 * Compiles a bank's saved date format ("DD/MM/YYYY", "MM/DD/YYYY hh:mm A", "YYYY-MM-DD HH:mm:ss",
 * "D-MMM-YY", literal text in [brackets]) into a reader of its dates, in local time at
 * `offsetMinutes`. A format without a time still reads a date followed by a time (HH:mm[:ss], or
 * with AM/PM). The format is
 * what tells 03/04/2026 as 3 April from 4 March, which no guess can. Throws on a format that
 * names no year, month or day, or a letter run that is not a token.
 */
export function compileStatementDateFormat(format: string, offsetMinutes = eastAfricaOffsetMinutes): StatementDateReader {
  const order: DateToken[] = [];
  let source = "";
  let read = 0;
  for (const [piece, literal] of format.trim().matchAll(tokenPattern)) {
    read += piece.length;
    if (literal !== undefined) source += escapeRegExp(literal);
    else if (piece in dateTokens) {
      order.push(piece as DateToken);
      source += dateTokens[piece as DateToken];
    } else if (piece === "T") source += "[T ]";
    else if (/[A-Za-z]/.test(piece)) throw new Error(`"${piece}" is not a date token (use YYYY, YY, MM, M, MMM, DD, D, HH, H, hh, h, mm, ss, A)`);
    else source += piece.split(/\s+/).map(escapeRegExp).join("\\s+");
  }
  if (read !== format.trim().length) throw new Error("an unclosed [ in the date format");
  const has = (...tokens: DateToken[]) => tokens.some((t) => order.includes(t));
  if (!has("YYYY", "YY") || !has("MMM", "MM", "M") || !has("DD", "D")) throw new Error("a date format needs a year, a month and a day");
  if (has("hh", "h") !== has("A", "a")) throw new Error("a 12-hour time (hh, h) needs its AM/PM (A), and A needs hh or h");
  const hasTime = has("HH", "H", "hh", "h");
  const pattern = new RegExp(`^${source}${hasTime ? "" : "(?:[ T](\\d{1,2}):(\\d{2})(?::(\\d{2}))?\\s*([AaPp][Mm])?)?"}$`);
  return (text) => {
    const match = pattern.exec(text.trim());
    if (!match) return null;
    let year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    let meridiem: string | undefined;
    order.forEach((token, i) => {
      const value = match[i + 1]!;
      if (token === "YYYY") year = Number(value);
      else if (token === "YY") year = 2000 + Number(value);
      else if (token === "MMM") month = monthNames.indexOf(value.toLowerCase()) + 1;
      else if (token === "MM" || token === "M") month = Number(value);
      else if (token === "DD" || token === "D") day = Number(value);
      else if (token === "HH" || token === "H" || token === "hh" || token === "h") hour = Number(value);
      else if (token === "mm") minute = Number(value);
      else if (token === "ss") second = Number(value);
      else meridiem = value.toLowerCase();
    });
    if (!hasTime && match[order.length + 1] !== undefined) {
      hour = Number(match[order.length + 1]);
      minute = Number(match[order.length + 2]);
      second = Number(match[order.length + 3] ?? 0);
      meridiem = match[order.length + 4]?.toLowerCase();
    }
    if (meridiem) {
      if (hour < 1 || hour > 12) return null;
      hour = (hour % 12) + (meridiem === "pm" ? 12 : 0);
    }
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return null;
    const utc = Date.UTC(year, month - 1, day, hour, minute, second);
    if (new Date(utc).getUTCDate() !== day) return null;
    return new Date(utc - offsetMinutes * 60_000);
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
