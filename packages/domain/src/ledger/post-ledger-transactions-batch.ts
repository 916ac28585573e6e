import { DomainError } from "@agrinet/core";
import { isDb, type Db } from "@agrinet/db";
import { callLedgerPostBatch, type LedgerBatchRow } from "@agrinet/stores/ledger";
import { createGroupCommit } from "../shared/group-commit";
import { toLedgerDomainError } from "./ledger-sql-errors";
import type { LedgerPostingClient, PostedLedgerTransaction } from "./ledger-types";
import {
  postingArrays,
  postingsFromRow,
  validateLedgerTransaction,
  type PostLedgerTransactionInput,
  type ValidatedLedgerTransaction,
} from "./post-ledger-transaction";

export type BatchItemResult =
  | { ok: true; transaction: PostedLedgerTransaction }
  | { ok: false; error: DomainError };

function failedItem(row: LedgerBatchRow, input: PostLedgerTransactionInput): DomainError {
  switch (row.status) {
    case "insufficient_funds":
      return new DomainError(
        "INSUFFICIENT_FUNDS",
        `insufficient funds in ${row.detail?.account}: available ${row.detail?.available}, needed ${row.detail?.required}`,
        { details: row.detail ?? undefined },
      );
    case "idempotency_key_reused":
      return new DomainError(
        "IDEMPOTENCY_KEY_REUSED",
        `idempotency key ${input.idempotencyKey} was already used for a different ledger transaction`,
        { details: row.detail ?? undefined },
      );
    default:
      return new DomainError("VALIDATION_FAILED", "postings do not balance", {
        fields: [{ path: "postings", message: "postings do not balance" }],
      });
  }
}

/**
 * Posts many ledger transactions in one database round trip and one commit (with a client; with
 * a transaction, `Tx` or `PgTx`, inside the caller's). Every item succeeds or fails on its own: an overdraft
 * or a reused key fails that item only, invalid items never reach the database, and results come
 * back in input order. Replayed keys return their first result, as in postLedgerTransaction.
 *
 * On the client, batches posted concurrently in this process share one database transaction
 * (group commit, see combinedBatches): the same results as posting them one after the other.
 */
export async function postLedgerTransactionsBatch(
  client: LedgerPostingClient,
  items: PostLedgerTransactionInput[],
): Promise<BatchItemResult[]> {
  if (!isDb(client) || items.length === 0) return postBatch(client, items);
  return combinedBatches(client)(items);
}

/** Items per combined database transaction: a few callers' batches, one lock set and one commit. */
const maxCombinedItems = 2_000;

const combiners = new WeakMap<Db, (items: PostLedgerTransactionInput[]) => Promise<BatchItemResult[]>>();

/**
 * Concurrent batches on one client lock overlapping balance rows and wait for each other's commit
 * flush; combined, they take the locks once and flush once. Posting the concatenation gives each
 * item what posting the callers' batches one after the other gives (the batch function works item
 * by item in order). When the combined call fails as a whole (input only the database refuses, a
 * deadlock), each caller's batch runs again on its own, in call order, so one caller's failure
 * stays its own.
 */
function combinedBatches(db: Db) {
  let combiner = combiners.get(db);
  if (!combiner) {
    combiner = createGroupCommit<PostLedgerTransactionInput[], BatchItemResult[]>({
      maxBatch: maxCombinedItems,
      size: (items) => items.length,
      run: async (batches) => {
        const results = await postBatch(db, batches.flat());
        let start = 0;
        return batches.map((items) => results.slice(start, (start += items.length)));
      },
      runAlone: (items) => postBatch(db, items),
    });
    combiners.set(db, combiner);
  }
  return combiner;
}

async function postBatch(client: LedgerPostingClient, items: PostLedgerTransactionInput[]): Promise<BatchItemResult[]> {
  const results: Array<BatchItemResult | undefined> = new Array(items.length);
  const valid: Array<{ index: number; validated: ValidatedLedgerTransaction }> = [];
  items.forEach((input, index) => {
    try {
      valid.push({ index, validated: validateLedgerTransaction(input) });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      results[index] = { ok: false, error };
    }
  });
  if (valid.length > 0) {
    let rows: LedgerBatchRow[];
    try {
      rows = await callLedgerPostBatch(
        client,
        valid.map(({ validated }) => ({
          idempotencyKey: validated.input.idempotencyKey,
          kind: validated.input.kind,
          metadata: JSON.stringify(validated.input.metadata ?? {}),
          contractId: validated.contractId,
          requestHash: validated.requestHash,
          postings: postingArrays(validated),
        })),
      );
    } catch (error) {
      throw toLedgerDomainError(error);
    }
    for (const row of rows) {
      const { index, validated } = valid[row.item - 1]!;
      results[index] =
        row.status === "posted" || row.status === "replayed"
          ? {
              ok: true,
              transaction: postingsFromRow(validated.input, {
                transactionId: row.transactionId!,
                replayed: row.status === "replayed",
                createdAt: row.createdAt!,
                postingIds: row.postingIds!,
                accountIds: row.accountIds!,
                balancesAfter: row.balancesAfter!,
              }),
            }
          : { ok: false, error: failedItem(row, validated.input) };
    }
  }
  return results.map((result) => result!);
}
