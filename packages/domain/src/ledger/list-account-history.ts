import { DomainError, type CurrencyCode } from "@agrinet/core";
import { readAccountPostings } from "@agrinet/stores/ledger";
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
  const rows = await readAccountPostings(client, {
    code: spec.code,
    ...(input.cursor !== undefined ? { beforeVersion: decodeCursor(input.cursor) } : {}),
    limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  return {
    account: spec.code,
    currency: spec.currency,
    items: page,
    nextCursor: rows.length > limit ? page[page.length - 1]!.accountVersion.toString() : null,
  };
}
