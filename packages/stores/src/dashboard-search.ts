import type { Queryable } from "@agrinet/db";

/*
 * The dashboard search's SQL: every lookup of one term in one statement. Fifteen Prisma queries
 * (one round trip and one pool connection each) made a search cost 5-10 primary-key lookups at
 * the median, and their slowest one set the p99 on a loaded machine; one statement costs one
 * round trip and one plan, cached per connection (named).
 */

/** Which lookup found a row: the domain orders and labels hits by it. */
export type SearchSource =
  | "deposit"
  | "deposit-receipt"
  | "payout"
  | "payout-receipt"
  | "contract"
  | "ledger-transaction"
  | "user"
  | "deposit-phone"
  | "payout-account"
  | "deposit-amount"
  | "payout-amount";

export type SearchRow = {
  source: SearchSource;
  id: string;
  reference: string | null;
  amount: bigint | null;
  currency: string | null;
  status: string | null;
  userId: string | null;
  createdAt: Date | null;
};

export type SearchTerms = {
  /** The term as typed (trimmed): ids, references, receipts, user ids. */
  term: string;
  /** The term as a ledger transaction id, when it is one. */
  transactionId: bigint | null;
  /** Phone forms (or the term itself as an account number); empty: no such lookup. */
  accounts: string[];
  /** Whether `accounts` are phone numbers (deposits are found by the payer's phone). */
  phones: boolean;
  /** Exact amounts in minor units, each with the currencies it is read in. */
  amounts: Array<{ amount: bigint; currencies: string[] }>;
  /** Rows per lookup for terms many rows share (phones, amounts), newest first. */
  limit: number;
};

// Every branch is an equality on a primary key, a unique index or an index led by the term; the
// shared-term branches (phone, amount) read that index newest first and stop at $7 rows, per
// amount candidate (LATERAL) since one typed amount is several (KES 1,800.00 and UGX 1,800).
// References are unique per partner on (partner_id, reference): joining the partners probes
// that index once per partner instead of scanning for the reference.
// The amount branches say `amount >= x and amount <= x ... order by amount, created_at desc`
// rather than `amount = x ... order by created_at desc`: the same rows in the same order, but the
// pool runs this statement on PostgreSQL's generic plan, which estimates an amount as matching
// ~20 rows, and for an equality chose a bitmap scan of all of them and a sort: 1 s for an amount
// that 100,000 payouts share (bench:search at 1M). A range is estimated at thousands of rows, so
// the plan walks the (amount, created_at desc) index in its order and stops after $7.
const searchSql = `
  select 'deposit' as source, d.id, d.reference, d.amount::text as amount, d.currency, d.status::text as status, d.user_id, d.created_at
    from deposits d where d.id = $1
  union all
  select 'deposit', d.id, d.reference, d.amount::text, d.currency, d.status::text, d.user_id, d.created_at
    from partners p join deposits d on d.partner_id = p.id and d.reference = $1
  union all
  select 'deposit-receipt', d.id, d.reference, d.amount::text, d.currency, d.status::text, d.user_id, d.created_at
    from mpesa_payments m join deposits d on d.id = m.deposit_id where m.receipt = $1
  union all
  select 'payout', o.id, o.reference, o.amount::text, o.currency, o.status, o.user_id, o.created_at
    from payouts o where o.id = $1
  union all
  select 'payout', o.id, o.reference, o.amount::text, o.currency, o.status, o.user_id, o.created_at
    from partners p join payouts o on o.partner_id = p.id and o.reference = $1
  union all
  (select 'payout-receipt', o.id, o.reference, o.amount::text, o.currency, o.status, o.user_id, o.created_at
     from payouts o where o.provider_reference = $1 limit 2)
  union all
  select 'contract', c.id, null, c.expected_amount::text, c.currency, c.status::text, c.consumer_id, c.created_at
    from contracts c where c.id = $1
  union all
  select 'ledger-transaction', t.id::text, null, null, null, t.kind, null, t.created_at
    from ledger_transactions t where t.id = $2::bigint
  union all
  select 'user', $1, null, null, null, null, $1, null
   where exists (select 1 from deposits where user_id = $1)
      or exists (select 1 from payouts where user_id = $1)
      or exists (select 1 from contracts where consumer_id = $1)
      or exists (select 1 from contracts where producer_id = $1)
  union all
  (select 'deposit-phone', d.id, d.reference, d.amount::text, d.currency, d.status::text, d.user_id, d.created_at
     from mpesa_payments m join deposits d on d.id = m.deposit_id
    where $4::boolean and m.phone_number = any($3::text[])
    order by m.created_at desc limit $7)
  union all
  (select 'payout-account', o.id, o.reference, o.amount::text, o.currency, o.status, o.user_id, o.created_at
     from payouts o where o.destination_account = any($3::text[])
    order by o.created_at desc limit $7)
  union all
  (select 'deposit-amount', x.id, x.reference, x.amount::text, x.currency, x.status::text, x.user_id, x.created_at
     from unnest($5::bigint[], $6::text[]) as c(amount, currencies)
     cross join lateral (
       select d.* from deposits d
        where d.amount >= c.amount and d.amount <= c.amount and d.currency = any(string_to_array(c.currencies, ','))
        order by d.amount, d.created_at desc limit $7) x
    order by x.created_at desc limit $7)
  union all
  (select 'payout-amount', x.id, x.reference, x.amount::text, x.currency, x.status, x.user_id, x.created_at
     from unnest($5::bigint[], $6::text[]) as c(amount, currencies)
     cross join lateral (
       select o.* from payouts o
        where o.amount >= c.amount and o.amount <= c.amount and o.currency = any(string_to_array(c.currencies, ','))
        order by o.amount, o.created_at desc limit $7) x
    order by x.created_at desc limit $7)`;

type RawSearchRow = {
  source: SearchSource;
  id: string;
  reference: string | null;
  amount: string | null;
  currency: string | null;
  status: string | null;
  user_id: string | null;
  created_at: Date | null;
};

/** The statement for these terms (the bench EXPLAINs it as run). */
export function searchStatement(terms: SearchTerms): { name: string; text: string; values: unknown[] } {
  return {
    name: "dashboard-search",
    text: searchSql,
    values: [
      terms.term,
      terms.transactionId?.toString() ?? null,
      terms.accounts,
      terms.phones,
      terms.amounts.map((candidate) => candidate.amount.toString()),
      terms.amounts.map((candidate) => candidate.currencies.join(",")),
      terms.limit,
    ],
  };
}

/** Every row the term finds, by lookup (`source`); shared terms newest first within theirs. */
export async function searchByTerm(db: Queryable, terms: SearchTerms): Promise<SearchRow[]> {
  const { rows } = await db.query<RawSearchRow>(searchStatement(terms));
  return rows.map((row) => ({
    source: row.source,
    id: row.id,
    reference: row.reference,
    amount: row.amount === null ? null : BigInt(row.amount),
    currency: row.currency,
    status: row.status,
    userId: row.user_id,
    createdAt: row.created_at,
  }));
}
