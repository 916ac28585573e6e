import { hash } from "node:crypto";
import { DomainError } from "@agrinet/core";
import { callLedgerPostTransaction, type PostedRow, type PostingArrays } from "@agrinet/stores/ledger";
import { parseAccountCode, type AccountSpec } from "./account-codes";
import { toLedgerDomainError } from "./ledger-sql-errors";
import {
  ledgerTransactionKinds,
  type LedgerPostingClient,
  type LedgerMetadata,
  type LedgerTransactionKind,
  type PostedLedgerTransaction,
  type PostingInput,
} from "./ledger-types";

export type PostLedgerTransactionInput = {
  /** Retrying with the same key returns the first result and posts nothing. */
  idempotencyKey: string;
  kind: LedgerTransactionKind;
  metadata?: LedgerMetadata;
  /** At least two; they must sum to zero per currency. */
  postings: PostingInput[];
};

export type ValidatedLedgerTransaction = {
  input: PostLedgerTransactionInput;
  accounts: AccountSpec[];
  requestHash: string;
  contractId: string | null;
};

/** Checks a request before it reaches the database, naming the offending field. */
export function validateLedgerTransaction(input: PostLedgerTransactionInput): ValidatedLedgerTransaction {
  const fail = (path: string, message: string) =>
    new DomainError("VALIDATION_FAILED", `${path}: ${message}`, { fields: [{ path, message }] });
  if (!input.idempotencyKey || input.idempotencyKey.length > 200) {
    throw fail("idempotencyKey", "required, at most 200 characters");
  }
  if (!(ledgerTransactionKinds as readonly string[]).includes(input.kind)) {
    throw fail("kind", `must be one of ${ledgerTransactionKinds.join(", ")}`);
  }
  if (input.postings.length < 2) throw fail("postings", "a ledger transaction needs at least two postings");
  const sums = new Map<string, bigint>();
  const accounts = input.postings.map((posting, index) => {
    if (typeof posting.amount !== "bigint" || posting.amount === 0n) {
      throw fail(`postings.${index}.amount`, "must be a non-zero bigint");
    }
    const spec = parseAccountCode(posting.account);
    if (spec.currency !== posting.currency) {
      throw fail(`postings.${index}.currency`, `account ${posting.account} holds ${spec.currency}`);
    }
    sums.set(posting.currency, (sums.get(posting.currency) ?? 0n) + posting.amount);
    return spec;
  });
  for (const [currency, sum] of sums) {
    if (sum !== 0n) throw fail("postings", `${currency} postings sum to ${sum}, not zero`);
  }
  const contractId = input.metadata?.contractId;
  return {
    input,
    accounts,
    requestHash: ledgerRequestHash(input.kind, input.postings),
    contractId: typeof contractId === "string" ? contractId : null,
  };
}

/** What makes two requests "the same" for idempotency: kind and postings, in order. */
export function ledgerRequestHash(kind: string, postings: PostingInput[]): string {
  const canonical = [kind, ...postings.map((p) => `${p.account}|${p.currency}|${p.amount}`)].join("\n");
  return hash("sha256", canonical, "base64url");
}

export function postingsFromRow(
  input: PostLedgerTransactionInput,
  row: PostedRow,
): PostedLedgerTransaction {
  return {
    id: row.transactionId,
    idempotencyKey: input.idempotencyKey,
    kind: input.kind,
    createdAt: row.createdAt,
    replayed: row.replayed,
    // Object.assign, not `{ ...posting, id, ... }`: on Node 20 a spread followed by more
    // properties took ~2 µs per posting (the object goes through slow property additions),
    // Object.assign ~0.1 µs, with the same own properties.
    postings: input.postings.map((posting, index) => Object.assign({}, posting, {
      id: row.postingIds[index]!,
      accountId: row.accountIds[index]!,
      balanceAfter: row.balancesAfter[index]!,
    })),
  };
}

/** The arrays ledger_post_transaction() takes, in the order it takes them. */
export function postingArrays(validated: ValidatedLedgerTransaction): PostingArrays {
  const { input, accounts } = validated;
  return {
    codes: accounts.map((a) => a.code),
    amounts: input.postings.map((p) => p.amount),
    currencies: input.postings.map((p) => p.currency),
    ownerTypes: accounts.map((a) => a.ownerType),
    ownerIds: accounts.map((a) => a.ownerId),
    purposes: accounts.map((a) => a.purpose),
    allowNegative: accounts.map((a) => a.allowNegative),
  };
}

/**
 * Posts one balanced ledger transaction in a single round trip (the SQL function
 * ledger_post_transaction): accounts are created on first use, balance rows are locked in
 * account-id order, an overdraft of an account that may not go negative is refused with
 * INSUFFICIENT_FUNDS (details.available), and a replayed idempotency key returns the first
 * result. Pass a transaction (`Tx` or `PgTx`) to post inside it, the client to post on its own (the
 * store sends it through the client's pg pool, as other hot paths do).
 */
export async function postLedgerTransaction(
  client: LedgerPostingClient,
  input: PostLedgerTransactionInput,
): Promise<PostedLedgerTransaction> {
  const validated = validateLedgerTransaction(input);
  let row: PostedRow;
  try {
    row = await callLedgerPostTransaction(client, {
      idempotencyKey: input.idempotencyKey,
      kind: input.kind,
      metadata: JSON.stringify(input.metadata ?? {}),
      contractId: validated.contractId,
      requestHash: validated.requestHash,
      postings: postingArrays(validated),
    });
  } catch (error) {
    throw toLedgerDomainError(error);
  }
  return postingsFromRow(input, row);
}
