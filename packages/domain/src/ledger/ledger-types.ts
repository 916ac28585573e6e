import type { CurrencyCode, LedgerTransactionKind } from "@agrinet/core";
import type { Db, Tx, TxClient } from "@agrinet/db";

/** Ledger functions run on the client (one statement, its own transaction) or inside a caller's. */
export type LedgerClient = Db | Tx;

/** Postings also run inside a caller's pg transaction (the deposit credit of M-Pesa callbacks). */
export type LedgerPostingClient = Db | TxClient;

export { ledgerTransactionKinds, type LedgerTransactionKind } from "@agrinet/core";

/** JSON-safe facts about a transaction: depositId, payoutId, contractId, ... */
export type LedgerMetadata = Record<string, string | number | boolean | null>;

export type PostingInput = {
  /** Account code, e.g. `user:user_buyer1:wallet:KES` (see account-codes.ts). */
  account: string;
  /** Signed minor units: positive credits the account, negative debits it. */
  amount: bigint;
  currency: CurrencyCode;
};

export type Posting = PostingInput & {
  id: bigint;
  accountId: bigint;
  /** The account's posted balance right after this posting. */
  balanceAfter: bigint;
};

export type PostedLedgerTransaction = {
  id: bigint;
  idempotencyKey: string;
  kind: LedgerTransactionKind;
  createdAt: Date;
  /** True when the idempotency key had already posted: nothing new was written. */
  replayed: boolean;
  /** In the order the request listed them. */
  postings: Posting[];
};
