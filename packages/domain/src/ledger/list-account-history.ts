import { DomainError, type CurrencyCode } from "@agrinet/core";
import { Prisma } from "@agrinet/db";
import { parseAccountCode } from "./account-codes";
import type { LedgerClient } from "./ledger-types";

export type AccountHistoryEntry = {
  postingId: bigint;
  transactionId: bigint;
  kind: string;
  /** Signed minor units: positive credited the account, negative debited it. */
  amount: bigint;
  /** The account's posted balance right after this posting. */
  balanceAfter: bigint;
  /** 1, 2, 3, ... in the order postings were applied to this account. */
  accountVersion: bigint;
  createdAt: Date;
};

export type AccountHistoryPage = {
  account: string;
  currency: CurrencyCode;
  items: AccountHistoryEntry[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
};

function decodeCursor(cursor: string): bigint {
  if (!/^\d{1,19}$/.test(cursor)) {
    throw new DomainError("VALIDATION_FAILED", "cursor: not a cursor from a previous page", {
      fields: [{ path: "cursor", message: "not a cursor from a previous page" }],
    });
  }
  return BigInt(cursor);
}

/**
 * One account's balance history, newest first: its postings with the running balance each left
 * behind. Keyset pagination on the account's own posting sequence (`account_version`), which
 * the unique (account_id, account_version) index serves directly, however long the history.
 */
export async function listAccountHistory(
  client: LedgerClient,
  input: { account: string; cursor?: string; limit?: number },
): Promise<AccountHistoryPage> {
  const spec = parseAccountCode(input.account);
  const limit = input.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 200) {
    throw new DomainError("VALIDATION_FAILED", "limit: must be an integer from 1 to 200", {
      fields: [{ path: "limit", message: "must be an integer from 1 to 200" }],
    });
  }
  const before =
    input.cursor !== undefined ? Prisma.sql`and p.account_version < ${decodeCursor(input.cursor)}` : Prisma.empty;
  const rows = await client.$queryRaw<
    Array<{
      id: bigint;
      transaction_id: bigint;
      kind: string;
      amount: bigint;
      balance_after: bigint;
      account_version: bigint;
      created_at: Date;
    }>
  >`select p.id, p.transaction_id, t.kind, p.amount, p.balance_after, p.account_version, p.created_at
    from ledger_postings p join ledger_transactions t on t.id = p.transaction_id
    where p.account_id = (select a.id from ledger_accounts a where a.code = ${spec.code}) ${before}
    order by p.account_version desc
    limit ${limit + 1}`;
  const page = rows.slice(0, limit);
  return {
    account: spec.code,
    currency: spec.currency,
    items: page.map((row) => ({
      postingId: row.id,
      transactionId: row.transaction_id,
      kind: row.kind,
      amount: row.amount,
      balanceAfter: row.balance_after,
      accountVersion: row.account_version,
      createdAt: row.created_at,
    })),
    nextCursor: rows.length > limit ? page[page.length - 1]!.account_version.toString() : null,
  };
}
