import { Prisma } from "@agrinet/db";
import type { SqlClient } from "./sql-client";

/*
 * The ledger's reads: balances, an account's history, accounts by owner, transaction pages.
 * Balances come from ledger_balances (one row per account, current with each posting), never
 * from summing postings.
 */

export type AccountBalanceRow = {
  accountId: bigint;
  code: string;
  ownerType: string;
  ownerId: string;
  purpose: string;
  currency: string;
  allowNegative: boolean;
  posted: bigint;
  held: bigint;
};

const balanceColumns = Prisma.sql`a.id as "accountId", a.code, a.owner_type as "ownerType", a.owner_id as "ownerId",
  a.purpose, a.currency, a.allow_negative as "allowNegative", b.posted, b.held`;

/** The account's balance row; null for an account never used (it exists once money moves). */
export async function readAccountBalance(client: SqlClient, code: string): Promise<AccountBalanceRow | null> {
  const rows = await client.$queryRaw<AccountBalanceRow[]>`
    select ${balanceColumns} from ledger_accounts a join ledger_balances b on b.account_id = a.id
    where a.code = ${code}`;
  return rows[0] ?? null;
}

/** Every account of one owner, by currency then purpose. */
export async function readOwnerBalances(
  client: SqlClient,
  owner: { ownerType: string; ownerId: string },
): Promise<AccountBalanceRow[]> {
  return client.$queryRaw<AccountBalanceRow[]>`
    select ${balanceColumns} from ledger_accounts a join ledger_balances b on b.account_id = a.id
    where a.owner_type = ${owner.ownerType} and a.owner_id = ${owner.ownerId}
    order by a.currency, a.purpose`;
}

/** The running balance on the account's last posting at or before `at` (one index lookup); null before any. */
export async function readPostedBalanceAt(client: SqlClient, code: string, at: Date): Promise<bigint | null> {
  const rows = await client.$queryRaw<Array<{ balanceAfter: bigint }>>`
    select p.balance_after as "balanceAfter" from ledger_postings p
    where p.account_id = (select id from ledger_accounts where code = ${code})
      and p.created_at <= ${at}::timestamptz
    order by p.created_at desc, p.account_version desc
    limit 1`;
  return rows[0]?.balanceAfter ?? null;
}

export type AccountPostingRow = {
  postingId: bigint;
  transactionId: bigint;
  kind: string;
  amount: bigint;
  balanceAfter: bigint;
  accountVersion: bigint;
  createdAt: Date;
};

/**
 * One account's postings newest first, below `beforeVersion` when given: keyset pagination on
 * the account's own sequence, which the unique (account_id, account_version) index serves.
 */
export async function readAccountPostings(
  client: SqlClient,
  query: { code: string; beforeVersion?: bigint; limit: number },
): Promise<AccountPostingRow[]> {
  const before = query.beforeVersion !== undefined ? Prisma.sql`and p.account_version < ${query.beforeVersion}` : Prisma.empty;
  return client.$queryRaw<AccountPostingRow[]>`
    select p.id as "postingId", p.transaction_id as "transactionId", t.kind, p.amount, p.balance_after as "balanceAfter",
           p.account_version as "accountVersion", p.created_at as "createdAt"
    from ledger_postings p join ledger_transactions t on t.id = p.transaction_id
    where p.account_id = (select a.id from ledger_accounts a where a.code = ${query.code}) ${before}
    order by p.account_version desc
    limit ${query.limit}`;
}

export type AccountOwner = { ownerType: string; ownerId: string };

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Owners of accounts in (owner type, owner id) order, after `after`; `codeContains` matches account codes case-insensitively. */
export async function readAccountOwners(
  client: SqlClient,
  query: { after?: AccountOwner; ownerType?: string; codeContains?: string; limit: number },
): Promise<AccountOwner[]> {
  const conditions: Prisma.Sql[] = [];
  if (query.after) conditions.push(Prisma.sql`(a.owner_type, a.owner_id) > (${query.after.ownerType}, ${query.after.ownerId})`);
  if (query.ownerType) conditions.push(Prisma.sql`a.owner_type = ${query.ownerType}`);
  if (query.codeContains) conditions.push(Prisma.sql`a.code ilike ${`%${escapeLike(query.codeContains)}%`}`);
  const where = conditions.length ? Prisma.sql`where ${Prisma.join(conditions, " and ")}` : Prisma.empty;
  return client.$queryRaw<AccountOwner[]>`
    select distinct a.owner_type as "ownerType", a.owner_id as "ownerId" from ledger_accounts a ${where}
    order by 1, 2 limit ${query.limit}`;
}

/** The accounts of these owners, by owner, purpose and currency. */
export async function readOwnersBalances(client: SqlClient, owners: AccountOwner[]): Promise<AccountBalanceRow[]> {
  return client.$queryRaw<AccountBalanceRow[]>`
    select ${balanceColumns} from ledger_accounts a join ledger_balances b on b.account_id = a.id
    where (a.owner_type, a.owner_id) in (
      select * from unnest(${owners.map((o) => o.ownerType)}::text[], ${owners.map((o) => o.ownerId)}::text[]))
    order by a.owner_type, a.owner_id, a.purpose, a.currency`;
}

export type LedgerTransactionRow = {
  id: bigint;
  idempotencyKey: string;
  kind: string;
  metadata: Record<string, unknown>;
  contractId: string | null;
  createdAt: Date;
};

export type LedgerTransactionFilter = {
  /** Transactions touching accounts of this user. */
  userId?: string;
  /** Transactions touching this account (code). */
  accountCode?: string;
  /** Transactions touching accounts of this partner's users (home or shared) and contracts. */
  partnerId?: string;
  currency?: string;
  kind?: string;
  contractId?: string;
  /** created_at >= from */
  from?: Date;
  /** created_at < to */
  to?: Date;
  /** Only ids below this (the previous page's last). */
  beforeId?: bigint;
  limit: number;
};

/** Ledger transactions newest first, by keyset on the id. */
export async function readLedgerTransactions(client: SqlClient, filter: LedgerTransactionFilter): Promise<LedgerTransactionRow[]> {
  const conditions: Prisma.Sql[] = [];
  if (filter.kind) conditions.push(Prisma.sql`t.kind = ${filter.kind}`);
  if (filter.contractId) conditions.push(Prisma.sql`t.contract_id = ${filter.contractId}`);
  if (filter.from) conditions.push(Prisma.sql`t.created_at >= ${filter.from}::timestamptz`);
  if (filter.to) conditions.push(Prisma.sql`t.created_at < ${filter.to}::timestamptz`);
  const columns = Prisma.sql`t.id, t.idempotency_key as "idempotencyKey", t.kind, t.metadata, t.contract_id as "contractId",
    t.created_at as "createdAt"`;

  if (filter.userId !== undefined || filter.accountCode !== undefined || filter.partnerId !== undefined) {
    const accountConditions: Prisma.Sql[] = [];
    if (filter.partnerId !== undefined) {
      accountConditions.push(Prisma.sql`(
        (a.owner_type = 'user' and a.owner_id in (select u.id from users u where u.partner_id = ${filter.partnerId}
                                                  union select s.user_id from partner_user_shares s where s.partner_id = ${filter.partnerId}))
        or (a.owner_type = 'contract' and a.owner_id in (select c.id from contracts c where c.partner_id = ${filter.partnerId})))`);
    }
    if (filter.userId !== undefined) accountConditions.push(Prisma.sql`a.owner_type = 'user' and a.owner_id = ${filter.userId}`);
    if (filter.accountCode !== undefined) accountConditions.push(Prisma.sql`a.code = ${filter.accountCode}`);
    if (filter.currency) accountConditions.push(Prisma.sql`a.currency = ${filter.currency}`);
    // Keyset walk of each account's postings index (account_id, transaction_id), newest first,
    // stopping at `limit` distinct transactions: the page reads about as many postings as it
    // shows, however long the account's history (a clearing account has millions). The page is
    // then the newest `limit` of these few candidates across the owner's accounts. Filtering
    // with `t.id in (select … from postings)` instead made PostgreSQL collect every posting of the
    // accounts before sorting, so the page's cost grew with the history.
    const postingConditions = [Prisma.sql`p.account_id = a.id`];
    if (filter.beforeId !== undefined) postingConditions.push(Prisma.sql`p.transaction_id < ${filter.beforeId}`);
    const filtered = conditions.length > 0;
    return client.$queryRaw<LedgerTransactionRow[]>`
      select ${columns}
      from (
        select distinct candidate.transaction_id
        from ledger_accounts a
        cross join lateral (
          select distinct p.transaction_id
          from ledger_postings p
          ${filtered ? Prisma.sql`join ledger_transactions t on t.id = p.transaction_id` : Prisma.empty}
          where ${Prisma.join([...postingConditions, ...conditions], " and ")}
          order by p.transaction_id desc
          limit ${filter.limit}
        ) candidate
        where ${Prisma.join(accountConditions, " and ")}
        order by candidate.transaction_id desc
        limit ${filter.limit}
      ) page
      join ledger_transactions t on t.id = page.transaction_id
      order by t.id desc`;
  }
  if (filter.beforeId !== undefined) conditions.push(Prisma.sql`t.id < ${filter.beforeId}`);
  if (filter.currency) {
    conditions.push(Prisma.sql`exists (select 1 from ledger_postings p where p.transaction_id = t.id and p.currency = ${filter.currency})`);
  }
  const where = conditions.length ? Prisma.sql`where ${Prisma.join(conditions, " and ")}` : Prisma.empty;
  return client.$queryRaw<LedgerTransactionRow[]>`
    select ${columns} from ledger_transactions t ${where}
    order by t.id desc limit ${filter.limit}`;
}

export type TransactionPostingRow = {
  id: bigint;
  transactionId: bigint;
  code: string;
  amount: bigint;
  currency: string;
  balanceAfter: bigint;
};

/** The postings of these transactions, in posting order. */
export async function readTransactionPostings(client: SqlClient, transactionIds: bigint[]): Promise<TransactionPostingRow[]> {
  if (transactionIds.length === 0) return [];
  return client.$queryRaw<TransactionPostingRow[]>`
    select p.id, p.transaction_id as "transactionId", a.code, p.amount, p.currency, p.balance_after as "balanceAfter"
    from ledger_postings p join ledger_accounts a on a.id = p.account_id
    where p.transaction_id = any(${transactionIds}::bigint[]) order by p.id`;
}
