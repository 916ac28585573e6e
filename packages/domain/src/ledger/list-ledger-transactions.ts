import { DomainError, type CurrencyCode } from "@agrinet/core";
import { readLedgerTransactions, readTransactionPostings } from "@agrinet/stores/ledger";
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
  const beforeId = input.cursor === undefined ? undefined : decodeCursor(input.cursor);
  const transactions = await readLedgerTransactions(client, {
    ...(input.userId !== undefined ? { userId: input.userId } : {}),
    ...(input.account !== undefined ? { accountCode: parseAccountCode(input.account).code } : {}),
    ...(input.partnerId !== undefined ? { partnerId: input.partnerId } : {}),
    ...(input.currency ? { currency: input.currency } : {}),
    ...(input.kind ? { kind: input.kind } : {}),
    ...(input.contractId ? { contractId: input.contractId } : {}),
    ...(input.from ? { from: input.from } : {}),
    ...(input.to ? { to: input.to } : {}),
    ...(beforeId !== undefined ? { beforeId } : {}),
    limit: limit + 1,
  });
  const page = transactions.slice(0, limit);
  const postings = await readTransactionPostings(client, page.map((t) => t.id));
  const byTransaction = new Map<bigint, LedgerTransactionListItem["postings"]>();
  for (const p of postings) {
    const list = byTransaction.get(p.transactionId) ?? [];
    list.push({ id: p.id, account: p.code, amount: p.amount, currency: p.currency as CurrencyCode, balanceAfter: p.balanceAfter });
    byTransaction.set(p.transactionId, list);
  }
  return {
    items: page.map((t) => ({ ...t, postings: byTransaction.get(t.id) ?? [] })),
    nextCursor: transactions.length > limit ? page[page.length - 1]!.id.toString() : null,
  };
}
