import { DomainError } from "@agrinet/core";
import {
  booleanArrayLiteral,
  int8ArrayFromText,
  int8ArrayLiteral,
  int8FromText,
  isDb,
  queryTextRows,
  textArrayLiteral,
  timestamptzFromText,
  type Db,
  type TextRow,
} from "@agrinet/db";
import { createGroupCommit } from "../shared/group-commit";
import { toLedgerDomainError } from "./ledger-sql-errors";
import type { LedgerClient, PostedLedgerTransaction } from "./ledger-types";
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

type BatchRow = {
  item: number;
  status: "posted" | "replayed" | "insufficient_funds" | "idempotency_key_reused" | "unbalanced";
  transaction_id: bigint | null;
  created_at: Date | null;
  posting_ids: bigint[] | null;
  account_ids: bigint[] | null;
  balances_after: bigint[] | null;
  detail: Record<string, unknown> | null;
};

function failedItem(row: BatchRow, input: PostLedgerTransactionInput): DomainError {
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

const batchSql = `select item, status, transaction_id, created_at, posting_ids, account_ids, balances_after, detail
  from ledger_post_batch($1::text[], $2::text[], $3::jsonb[], $4::text[], $5::text[],
  $6::int[], $7::text[], $8::bigint[], $9::text[], $10::text[], $11::text[], $12::text[], $13::boolean[])`;

const orNull = <T>(text: string | null | undefined, parse: (text: string) => T): T | null =>
  text == null ? null : parse(text);

/** A row of queryTextRows: every column as PostgreSQL's text, in batchSql's column order. */
function batchRowFromText(row: TextRow): BatchRow {
  return {
    item: Number(row[0]),
    status: row[1] as BatchRow["status"],
    transaction_id: orNull(row[2], int8FromText),
    created_at: orNull(row[3], timestamptzFromText),
    posting_ids: orNull(row[4], int8ArrayFromText),
    account_ids: orNull(row[5], int8ArrayFromText),
    balances_after: orNull(row[6], int8ArrayFromText),
    detail: orNull(row[7], (text) => JSON.parse(text) as Record<string, unknown>),
  };
}

/**
 * Posts many ledger transactions in one database round trip and one commit (with a client; with
 * a `Tx`, inside the caller's transaction). Every item succeeds or fails on its own: an overdraft
 * or a reused key fails that item only, invalid items never reach the database, and results come
 * back in input order. Replayed keys return their first result, as in postLedgerTransaction.
 *
 * On the client, batches posted concurrently in this process share one database transaction
 * (group commit, see combinedBatches): the same results as posting them one after the other.
 */
export async function postLedgerTransactionsBatch(
  client: LedgerClient,
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

async function postBatch(client: LedgerClient, items: PostLedgerTransactionInput[]): Promise<BatchItemResult[]> {
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
    const keys: string[] = [];
    const kinds: string[] = [];
    const metadata: string[] = [];
    const contractIds: Array<string | null> = [];
    const hashes: string[] = [];
    const offsets: number[] = [1];
    const flat = {
      codes: [] as string[],
      amounts: [] as bigint[],
      currencies: [] as string[],
      ownerTypes: [] as string[],
      ownerIds: [] as string[],
      purposes: [] as string[],
      allowNegative: [] as boolean[],
    };
    for (const { validated } of valid) {
      keys.push(validated.input.idempotencyKey);
      kinds.push(validated.input.kind);
      metadata.push(JSON.stringify(validated.input.metadata ?? {}));
      contractIds.push(validated.contractId);
      hashes.push(validated.requestHash);
      const arrays = postingArrays(validated);
      for (const [name, values] of Object.entries(arrays)) {
        (flat[name as keyof typeof flat] as unknown[]).push(...values);
      }
      offsets.push(flat.codes.length + 1);
    }
    let rows: BatchRow[];
    try {
      // The Prisma client itself goes through its pg pool (a fraction of Prisma's client-side
      // CPU; queryTextRows, as postLedgerTransaction); a transaction's client stays in the
      // caller's transaction.
      rows = isDb(client)
        ? (await queryTextRows(client.$pool, {
            name: "ledger-post-batch",
            text: batchSql,
            values: [
              textArrayLiteral(keys), textArrayLiteral(kinds), textArrayLiteral(metadata),
              textArrayLiteral(contractIds), textArrayLiteral(hashes), int8ArrayLiteral(offsets),
              textArrayLiteral(flat.codes), int8ArrayLiteral(flat.amounts), textArrayLiteral(flat.currencies),
              textArrayLiteral(flat.ownerTypes), textArrayLiteral(flat.ownerIds), textArrayLiteral(flat.purposes),
              booleanArrayLiteral(flat.allowNegative),
            ],
          })).map(batchRowFromText)
        : await client.$queryRawUnsafe<BatchRow[]>(batchSql, keys, kinds, metadata, contractIds, hashes, offsets,
            flat.codes, flat.amounts.map(String), flat.currencies, flat.ownerTypes, flat.ownerIds, flat.purposes,
            flat.allowNegative);
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
                transaction_id: row.transaction_id!,
                replayed: row.status === "replayed",
                created_at: row.created_at!,
                posting_ids: row.posting_ids!,
                account_ids: row.account_ids!,
                balances_after: row.balances_after!,
              }),
            }
          : { ok: false, error: failedItem(row, validated.input) };
    }
  }
  return results.map((result) => result!);
}
