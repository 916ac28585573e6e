import { currencyExponent, supportedCurrencies, type CurrencyCode } from "@agrinet/core";
import type { Db } from "@agrinet/db";
import { searchByTerm, searchStatement, type SearchRow, type SearchSource, type SearchTerms } from "@agrinet/stores/dashboard-search";

export type SearchHit = {
  kind: "deposit" | "payout" | "contract" | "ledger_transaction" | "user";
  id: string;
  /** What matched: "id", "reference", "receipt", "phone", "account", "amount", "user id". */
  matched: string;
  amount: string | null;
  currency: string | null;
  status: string | null;
  userId: string | null;
  createdAt: Date | null;
};

const maxQueryLength = 200;
/** Newest matches shown per kind for a term many rows share (an amount, a phone number). */
export const searchHitsPerKind = 20;

/** M-Pesa's countries: the sandbox and Daraja tell numbers apart by their last nine digits. */
const mpesaCountryCodes = ["254", "255", "256"];

/**
 * The ways one phone number is stored: E.164 (payout destinations, STK Push), Daraja's digits
 * without "+" (paybill MSISDN), the local 0-prefixed form. "0712 345 678", "+254712345678" and
 * "712345678" all find the same rows.
 */
export function phoneNumberForms(query: string): string[] {
  const compact = query.replace(/[\s().-]/g, "");
  if (!/^\+?\d{9,15}$/.test(compact)) return [];
  const digits = compact.replace(/^\+/, "");
  const subscriber = digits.slice(-9);
  const forms = new Set([compact, digits, `+${digits}`, `0${subscriber}`, subscriber]);
  for (const country of mpesaCountryCodes) {
    forms.add(`${country}${subscriber}`);
    forms.add(`+${country}${subscriber}`);
  }
  return [...forms];
}

/**
 * An amount typed as the dashboard shows it ("1,800", "1800.50", "KES 1,800.00"), in minor units
 * per currency: "1,800" is 180000 in KES and 1800 in UGX. A currency code narrows it to that one;
 * decimals a currency does not have rule it out.
 */
export function amountCandidates(query: string): Array<{ amount: bigint; currencies: CurrencyCode[] }> {
  const match = /^(?:([A-Za-z]{3})\s*)?(\d{1,3}(?:,\d{3})+|\d{1,15})(?:\.(\d{1,3}))?$/.exec(query.trim());
  if (!match) return [];
  const [, code, whole, fraction = ""] = match;
  const currencies = code
    ? supportedCurrencies.filter((currency) => currency === code.toUpperCase())
    : [...supportedCurrencies];
  const byAmount = new Map<bigint, CurrencyCode[]>();
  for (const currency of currencies) {
    const exponent = currencyExponent(currency);
    if (fraction.length > exponent) continue;
    const amount = BigInt(whole!.replaceAll(",", "") + fraction.padEnd(exponent, "0"));
    if (amount <= 0n) continue;
    byAmount.set(amount, [...(byAmount.get(amount) ?? []), currency]);
  }
  return [...byAmount].map(([amount, currencies]) => ({ amount, currencies }));
}

/** What one trimmed term is looked up as (`searchByTerm`'s input). */
export function searchTermsOf(q: string): SearchTerms {
  const phones = phoneNumberForms(q);
  return {
    term: q,
    transactionId: /^\d{1,18}$/.test(q) ? BigInt(q) : null,
    accounts: phones.length ? phones : /^[\w-]{6,40}$/.test(q) ? [q] : [],
    phones: phones.length > 0,
    amounts: amountCandidates(q),
    limit: searchHitsPerKind,
  };
}

/** The statement `searchDashboard` runs for a term (bench/search.bench.ts EXPLAINs it). */
export function dashboardSearchStatement(query: string) {
  return searchStatement(searchTermsOf(query.trim()));
}

function moneyHit(kind: "deposit" | "payout", row: SearchRow, matched: string): SearchHit {
  return {
    kind,
    id: row.id,
    matched,
    amount: row.amount?.toString() ?? null,
    currency: row.currency,
    status: row.status,
    userId: row.userId,
    createdAt: row.createdAt,
  };
}

/**
 * The dashboard's search box: one exact term looked up as a deposit id or reference, an M-Pesa
 * receipt (a deposit's collection or a payout's rail receipt), a phone or account number (the
 * payer of an M-Pesa deposit, a payout's destination), an exact amount, a payout id or
 * reference, a contract id, a ledger transaction id, or a user id. Every lookup is an equality
 * on a primary key, a unique index or an index led by the term (amounts and phones newest
 * first, at most `searchHitsPerKind` each), all in one statement (`searchByTerm`), so its cost
 * does not grow with the tables (bench/search.bench.ts: 1,000,000 deposits and 1,000,000 payouts).
 */
export async function searchDashboard(options: { db: Db; query: string }): Promise<SearchHit[]> {
  const q = options.query.trim();
  if (!q || q.length > maxQueryLength) return [];
  const terms = searchTermsOf(q);
  const rows = await searchByTerm(options.db.$pool, terms);
  const from = (source: SearchSource) => rows.filter((row) => row.source === source);

  const hits: SearchHit[] = [];
  const seen = new Set<string>();
  const add = (hit: SearchHit) => {
    const key = `${hit.kind}:${hit.id}`;
    if (seen.has(key)) return;
    seen.add(key);
    hits.push(hit);
  };
  if (from("user").length) {
    add({ kind: "user", id: q, matched: "user id", amount: null, currency: null, status: null, userId: q, createdAt: null });
  }
  for (const deposit of from("deposit")) add(moneyHit("deposit", deposit, deposit.id === q ? "id" : "reference"));
  for (const deposit of from("deposit-receipt")) add(moneyHit("deposit", deposit, "receipt"));
  for (const payout of from("payout")) add(moneyHit("payout", payout, payout.id === q ? "id" : "reference"));
  for (const payout of from("payout-receipt")) add(moneyHit("payout", payout, "receipt"));
  for (const contract of from("contract")) add({ ...moneyHit("deposit", contract, "id"), kind: "contract" });
  for (const transaction of from("ledger-transaction")) add({ ...moneyHit("deposit", transaction, "id"), kind: "ledger_transaction" });
  for (const deposit of from("deposit-phone")) add(moneyHit("deposit", deposit, "phone"));
  for (const payout of from("payout-account")) add(moneyHit("payout", payout, terms.phones ? "phone" : "account"));
  for (const deposit of from("deposit-amount")) add(moneyHit("deposit", deposit, "amount"));
  for (const payout of from("payout-amount")) add(moneyHit("payout", payout, "amount"));
  return hits;
}
