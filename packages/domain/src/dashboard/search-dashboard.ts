import { currencyExponent, supportedCurrencies, type CurrencyCode } from "@agrinet/core";
import type { Db } from "@agrinet/db";

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

const moneyRow = { id: true, reference: true, amount: true, currency: true, status: true, userId: true, createdAt: true } as const;
type MoneyRow = { id: string; reference: string; amount: bigint; currency: string; status: string; userId: string; createdAt: Date };

function moneyHit(kind: "deposit" | "payout", row: MoneyRow, matched: string): SearchHit {
  return {
    kind,
    id: row.id,
    matched,
    amount: row.amount.toString(),
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
 * first, at most `searchHitsPerKind` each), so its cost does not grow with the tables
 * (bench/search.bench.ts: 1,000,000 deposits and 1,000,000 payouts).
 */
export async function searchDashboard(options: { db: Db; query: string }): Promise<SearchHit[]> {
  const q = options.query.trim();
  if (!q || q.length > maxQueryLength) return [];
  const { db } = options;
  const transactionId = /^\d{1,18}$/.test(q) ? BigInt(q) : null;
  const phones = phoneNumberForms(q);
  const amounts = amountCandidates(q);
  const newest = { orderBy: { createdAt: "desc" as const }, take: searchHitsPerKind };
  // References are unique per partner, on (partner_id, reference): naming every partner lets
  // each reference lookup probe that index once per partner instead of scanning the table.
  const partnerIds = (await db.partner.findMany({ select: { id: true } })).map((partner) => partner.id);
  const byIdOrReference = { OR: [{ id: q }, { reference: q, partnerId: { in: partnerIds } }] };
  const [
    deposits,
    payouts,
    contract,
    transaction,
    depositOfUser,
    payoutOfUser,
    contractOfUser,
    collection,
    payoutsByReceipt,
    collectionsByPhone,
    payoutsByAccount,
    depositsByAmount,
    payoutsByAmount,
  ] = await Promise.all([
    db.deposit.findMany({ where: byIdOrReference, select: moneyRow, take: 2 }),
    db.payout.findMany({ where: byIdOrReference, select: moneyRow, take: 2 }),
    db.contract.findUnique({
      where: { id: q },
      select: { id: true, expectedAmount: true, currency: true, status: true, consumerId: true, createdAt: true },
    }),
    transactionId === null
      ? null
      : db.ledgerTransaction.findUnique({ where: { id: transactionId }, select: { id: true, kind: true, createdAt: true } }),
    db.deposit.findFirst({ where: { userId: q }, select: { userId: true } }),
    db.payout.findFirst({ where: { userId: q }, select: { userId: true } }),
    db.contract.findFirst({ where: { OR: [{ consumerId: q }, { producerId: q }] }, select: { id: true } }),
    db.mpesaPayment.findUnique({ where: { receipt: q }, select: { deposit: { select: moneyRow } } }),
    db.payout.findMany({ where: { providerReference: q }, select: moneyRow, take: 2 }),
    phones.length === 0
      ? []
      : db.mpesaPayment.findMany({
          where: { phoneNumber: { in: phones }, depositId: { not: null } },
          select: { deposit: { select: moneyRow } },
          ...newest,
        }),
    phones.length === 0 && !/^[\w-]{6,40}$/.test(q)
      ? []
      : db.payout.findMany({ where: { destinationAccount: { in: phones.length ? phones : [q] } }, select: moneyRow, ...newest }),
    Promise.all(
      amounts.map(({ amount, currencies }) =>
        db.deposit.findMany({ where: { amount, currency: { in: currencies } }, select: moneyRow, ...newest }),
      ),
    ),
    Promise.all(
      amounts.map(({ amount, currencies }) =>
        db.payout.findMany({ where: { amount, currency: { in: currencies } }, select: moneyRow, ...newest }),
      ),
    ),
  ]);

  const hits: SearchHit[] = [];
  const seen = new Set<string>();
  const add = (hit: SearchHit) => {
    const key = `${hit.kind}:${hit.id}`;
    if (seen.has(key)) return;
    seen.add(key);
    hits.push(hit);
  };
  if (depositOfUser || payoutOfUser || contractOfUser) {
    add({ kind: "user", id: q, matched: "user id", amount: null, currency: null, status: null, userId: q, createdAt: null });
  }
  for (const deposit of deposits) add(moneyHit("deposit", deposit, deposit.id === q ? "id" : "reference"));
  if (collection?.deposit) add(moneyHit("deposit", collection.deposit, "receipt"));
  for (const payout of payouts) add(moneyHit("payout", payout, payout.id === q ? "id" : "reference"));
  for (const payout of payoutsByReceipt) add(moneyHit("payout", payout, "receipt"));
  if (contract) {
    add({
      kind: "contract",
      id: contract.id,
      matched: "id",
      amount: contract.expectedAmount.toString(),
      currency: contract.currency,
      status: contract.status,
      userId: contract.consumerId,
      createdAt: contract.createdAt,
    });
  }
  if (transaction) {
    add({
      kind: "ledger_transaction",
      id: transaction.id.toString(),
      matched: "id",
      amount: null,
      currency: null,
      status: transaction.kind,
      userId: null,
      createdAt: transaction.createdAt,
    });
  }
  for (const { deposit } of collectionsByPhone) if (deposit) add(moneyHit("deposit", deposit, "phone"));
  for (const payout of payoutsByAccount) add(moneyHit("payout", payout, phones.length ? "phone" : "account"));
  const newestFirst = (rows: MoneyRow[][]) => rows.flat().sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime()).slice(0, searchHitsPerKind);
  for (const deposit of newestFirst(depositsByAmount)) add(moneyHit("deposit", deposit, "amount"));
  for (const payout of newestFirst(payoutsByAmount)) add(moneyHit("payout", payout, "amount"));
  return hits;
}
