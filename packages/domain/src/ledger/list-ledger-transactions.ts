import { DomainError, type CurrencyCode } from "@agrinet/core";
import { Prisma } from "@agrinet/db";
import { parseAccountCode } from "./account-codes";
import type { LedgerClient, LedgerTransactionKind } from "./ledger-types";

export type ListLedgerTransactionsInput = {
  /** Only transactions touching this user's accounts. */
  userId?: string;
  /** Only transactions touching this account (code). */
  account?: string;
  /** Only transactions touching accounts of this partner's users and contracts. */
  partnerId?: string;
  currency?: CurrencyCode;
  kind?: LedgerTransactionKind;
  contractId?: string;
  /** created_at >= from */
  from?: Date;
  /** created_at < to */
  to?: Date;
  /** The `nextCursor` of the previous page. */
  cursor?: string;
  /** 1..200, default 50. */
  limit?: number;
};

export type LedgerTransactionListItem = {
  id: bigint;
  idempotencyKey: string;
  kind: string;
  metadata: Record<string, unknown>;
  contractId: string | null;
  createdAt: Date;
  postings: Array<{
    id: bigint;
    account: string;
    amount: bigint;
    currency: CurrencyCode;
    balanceAfter: bigint;
  }>;
};

export type LedgerTransactionPage = {
  items: LedgerTransactionListItem[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
};

type TransactionRow = {
  id: bigint;
  idempotency_key: string;
  kind: string;
  metadata: Record<string, unknown>;
  contract_id: string | null;
  created_at: Date;
};

function decodeCursor(cursor: string): bigint {
  if (!/^\d{1,19}$/.test(cursor) || BigInt(cursor) > 9_223_372_036_854_775_807n) {
    throw new DomainError("VALIDATION_FAILED", "cursor: not a cursor from a previous page", {
      fields: [{ path: "cursor", message: "not a cursor from a previous page" }],
    });
  }
  return BigInt(cursor);
}

/**
 * Ledger transactions newest first, each with its postings, by keyset (cursor) pagination on
 * the transaction id: pages stay stable and cheap however deep the caller goes.
 */
export async function listLedgerTransactions(
  client: LedgerClient,
  input: ListLedgerTransactionsInput,
): Promise<LedgerTransactionPage> {
  const limit = input.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 200) {
    throw new DomainError("VALIDATION_FAILED", "limit: must be an integer from 1 to 200", {
      fields: [{ path: "limit", message: "must be an integer from 1 to 200" }],
    });
  }
  const cursor = input.cursor === undefined ? undefined : decodeCursor(input.cursor);
  const conditions: Prisma.Sql[] = [];
  if (input.kind) conditions.push(Prisma.sql`t.kind = ${input.kind}`);
  if (input.contractId) conditions.push(Prisma.sql`t.contract_id = ${input.contractId}`);
  if (input.from) conditions.push(Prisma.sql`t.created_at >= ${input.from}::timestamptz`);
  if (input.to) conditions.push(Prisma.sql`t.created_at < ${input.to}::timestamptz`);

  let transactions: TransactionRow[];
  if (input.userId !== undefined || input.account !== undefined || input.partnerId !== undefined) {
    const accountConditions: Prisma.Sql[] = [];
    if (input.partnerId !== undefined) {
      accountConditions.push(Prisma.sql`(
        (a.owner_type = 'user' and a.owner_id in (select u.id from users u where u.partner_id = ${input.partnerId}
                                                  union select s.user_id from partner_user_shares s where s.partner_id = ${input.partnerId}))
        or (a.owner_type = 'contract' and a.owner_id in (select c.id from contracts c where c.partner_id = ${input.partnerId})))`);
    }
    if (input.userId !== undefined) {
      accountConditions.push(Prisma.sql`a.owner_type = 'user' and a.owner_id = ${input.userId}`);
    }
    if (input.account !== undefined) {
      accountConditions.push(Prisma.sql`a.code = ${parseAccountCode(input.account).code}`);
    }
    if (input.currency) accountConditions.push(Prisma.sql`a.currency = ${input.currency}`);
    // Keyset walk of each account's postings index (account_id, transaction_id), newest first,
    // stopping at limit + 1 distinct transactions: the page reads about as many postings as it
    // shows, however long the account's history (a clearing account has millions). The page is
    // then the newest limit + 1 of these few candidates across the owner's accounts. Filtering
    // with `t.id in (select … from postings)` instead made PostgreSQL collect every posting of the
    // accounts before sorting, so the page's cost grew with the history.
    const postingConditions = [Prisma.sql`p.account_id = a.id`];
    if (cursor !== undefined) postingConditions.push(Prisma.sql`p.transaction_id < ${cursor}`);
    const filtered = conditions.length > 0;
    transactions = await client.$queryRaw<TransactionRow[]>`
      select t.id, t.idempotency_key, t.kind, t.metadata, t.contract_id, t.created_at
      from (
        select distinct candidate.transaction_id
        from ledger_accounts a
        cross join lateral (
          select distinct p.transaction_id
          from ledger_postings p
          ${filtered ? Prisma.sql`join ledger_transactions t on t.id = p.transaction_id` : Prisma.empty}
          where ${Prisma.join([...postingConditions, ...conditions], " and ")}
          order by p.transaction_id desc
          limit ${limit + 1}
        ) candidate
        where ${Prisma.join(accountConditions, " and ")}
        order by candidate.transaction_id desc
        limit ${limit + 1}
      ) page
      join ledger_transactions t on t.id = page.transaction_id
      order by t.id desc`;
  } else {
    if (cursor !== undefined) conditions.push(Prisma.sql`t.id < ${cursor}`);
    if (input.currency) {
      conditions.push(
        Prisma.sql`exists (select 1 from ledger_postings p where p.transaction_id = t.id and p.currency = ${input.currency})`,
      );
    }
    const where = conditions.length ? Prisma.sql`where ${Prisma.join(conditions, " and ")}` : Prisma.empty;
    transactions = await client.$queryRaw<TransactionRow[]>`
      select t.id, t.idempotency_key, t.kind, t.metadata, t.contract_id, t.created_at
      from ledger_transactions t ${where}
      order by t.id desc limit ${limit + 1}`;
  }

  const page = transactions.slice(0, limit);
  const ids = page.map((t) => t.id);
  const postings = ids.length
    ? await client.$queryRaw<
        Array<{
          id: bigint;
          transaction_id: bigint;
          code: string;
          amount: bigint;
          currency: CurrencyCode;
          balance_after: bigint;
        }>
      >`select p.id, p.transaction_id, a.code, p.amount, p.currency, p.balance_after
        from ledger_postings p join ledger_accounts a on a.id = p.account_id
        where p.transaction_id = any(${ids}::bigint[]) order by p.id`
    : [];
  const byTransaction = new Map<bigint, LedgerTransactionListItem["postings"]>();
  for (const p of postings) {
    const list = byTransaction.get(p.transaction_id) ?? [];
    list.push({ id: p.id, account: p.code, amount: p.amount, currency: p.currency, balanceAfter: p.balance_after });
    byTransaction.set(p.transaction_id, list);
  }
  return {
    items: page.map((t) => ({
      id: t.id,
      idempotencyKey: t.idempotency_key,
      kind: t.kind,
      metadata: t.metadata,
      contractId: t.contract_id,
      createdAt: t.created_at,
      postings: byTransaction.get(t.id) ?? [],
    })),
    nextCursor: transactions.length > limit ? page[page.length - 1]!.id.toString() : null,
  };
}
