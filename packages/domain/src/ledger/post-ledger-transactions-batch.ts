import { DomainError } from "@agrinet/core";
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

/**
 * Posts many ledger transactions in one database round trip and one commit (with a client; with
 * a `Tx`, inside the caller's transaction). Every item succeeds or fails on its own: an overdraft
 * or a reused key fails that item only, invalid items never reach the database, and results come
 * back in input order. Replayed keys return their first result, as in postLedgerTransaction.
 */
export async function postLedgerTransactionsBatch(
  client: LedgerClient,
  items: PostLedgerTransactionInput[],
): Promise<BatchItemResult[]> {
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
      rows = await client.$queryRaw<BatchRow[]>`
        select * from ledger_post_batch(
          ${keys}::text[], ${kinds}::text[], ${metadata}::jsonb[], ${contractIds}::text[], ${hashes}::text[],
          ${offsets}::int[], ${flat.codes}::text[], ${flat.amounts}::bigint[], ${flat.currencies}::text[],
          ${flat.ownerTypes}::text[], ${flat.ownerIds}::text[], ${flat.purposes}::text[],
          ${flat.allowNegative}::boolean[])`;
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
