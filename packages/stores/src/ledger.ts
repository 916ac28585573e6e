import {
  booleanArrayLiteral,
  int8ArrayFromText,
  int8ArrayLiteral,
  int8FromText,
  isDb,
  isPgTx,
  queryTextRows,
  textArrayLiteral,
  timestamptzFromText,
  type TextRow,
  type TextRowsQuery,
  type TxClient,
} from "@agrinet/db";
import type { SqlClient } from "./sql-client";

export * from "./ledger-holds";
export * from "./ledger-reads";
export * from "./ledger-verify";

/*
 * The ledger's posting functions, each reached one way: one statement text, parameters in
 * PostgreSQL's text input, every column read as text and decoded by one decoder, on its own
 * (through the Prisma client's pg pool) or inside the caller's transaction (pg or Prisma).
 */

/** Where a ledger statement runs: on its own (through the client's pg pool) or in the caller's transaction (pg or Prisma). */
export type LedgerSqlClient = SqlClient | TxClient;

/**
 * Runs a named statement and returns its rows as column texts. The Prisma client's calls go
 * through its pg pool (a fraction of Prisma's client-side CPU); a transaction's client stays in
 * the caller's transaction (Prisma's $queryRawUnsafe with the same text and values).
 */
async function textRows(client: LedgerSqlClient, statement: TextRowsQuery & { values: unknown[] }): Promise<TextRow[]> {
  if (isDb(client)) return queryTextRows(client.$pool, statement);
  if (isPgTx(client)) return queryTextRows(client, statement);
  const rows = await client.$queryRawUnsafe<Array<Record<string, string | null>>>(statement.text, ...statement.values);
  return rows.map((row) => Object.values(row));
}

/** One transaction's postings as ledger_post_transaction takes them: parallel arrays, one entry per posting. */
export type PostingArrays = {
  codes: string[];
  amounts: bigint[];
  currencies: string[];
  ownerTypes: string[];
  ownerIds: string[];
  purposes: string[];
  allowNegative: boolean[];
};

export type LedgerPostRequest = {
  idempotencyKey: string;
  kind: string;
  /** JSON text. */
  metadata: string;
  contractId: string | null;
  requestHash: string;
  postings: PostingArrays;
};

export type PostedRow = {
  transactionId: bigint;
  replayed: boolean;
  createdAt: Date;
  /** Per posting, in the request's order. */
  postingIds: bigint[];
  accountIds: bigint[];
  balancesAfter: bigint[];
};

const postText = `select transaction_id::text, replayed::text, created_at::text, posting_ids::text, account_ids::text,
  balances_after::text
  from ledger_post_transaction($1, $2, $3::jsonb, $4, $5, $6::text[], $7::bigint[],
  $8::text[], $9::text[], $10::text[], $11::text[], $12::boolean[])`;

function decodePostedRow(row: TextRow): PostedRow {
  return {
    transactionId: int8FromText(row[0]),
    // boolean::text is 'true' or 'false' (the wire's text format says 't' or 'f').
    replayed: row[1] === "true",
    createdAt: timestamptzFromText(row[2]),
    postingIds: int8ArrayFromText(row[3]),
    accountIds: int8ArrayFromText(row[4]),
    balancesAfter: int8ArrayFromText(row[5]),
  };
}

/** The SQL function ledger_post_transaction (one balanced transaction, one round trip). */
export async function callLedgerPostTransaction(client: LedgerSqlClient, request: LedgerPostRequest): Promise<PostedRow> {
  const p = request.postings;
  const rows = await textRows(client, {
    name: "ledger-post-transaction",
    text: postText,
    values: [
      request.idempotencyKey, request.kind, request.metadata, request.contractId, request.requestHash,
      textArrayLiteral(p.codes), int8ArrayLiteral(p.amounts), textArrayLiteral(p.currencies),
      textArrayLiteral(p.ownerTypes), textArrayLiteral(p.ownerIds), textArrayLiteral(p.purposes),
      booleanArrayLiteral(p.allowNegative),
    ],
  });
  const row = rows[0];
  if (!row) throw new Error("ledger_post_transaction returned no row");
  return decodePostedRow(row);
}

export type LedgerBatchRow = {
  /** 1-based position of the transaction in the batch. */
  item: number;
  status: "posted" | "replayed" | "insufficient_funds" | "idempotency_key_reused" | "unbalanced";
  transactionId: bigint | null;
  createdAt: Date | null;
  postingIds: bigint[] | null;
  accountIds: bigint[] | null;
  balancesAfter: bigint[] | null;
  detail: Record<string, unknown> | null;
};

const batchText = `select item::text, status, transaction_id::text, created_at::text, posting_ids::text, account_ids::text,
  balances_after::text, detail::text
  from ledger_post_batch($1::text[], $2::text[], $3::jsonb[], $4::text[], $5::text[],
  $6::int[], $7::text[], $8::bigint[], $9::text[], $10::text[], $11::text[], $12::text[], $13::boolean[])`;

const orNull = <T>(text: string | null | undefined, parse: (text: string) => T): T | null =>
  text == null ? null : parse(text);

function decodeBatchRow(row: TextRow): LedgerBatchRow {
  return {
    item: Number(row[0]),
    status: row[1] as LedgerBatchRow["status"],
    transactionId: orNull(row[2], int8FromText),
    createdAt: orNull(row[3], timestamptzFromText),
    postingIds: orNull(row[4], int8ArrayFromText),
    accountIds: orNull(row[5], int8ArrayFromText),
    balancesAfter: orNull(row[6], int8ArrayFromText),
    detail: orNull(row[7], (text) => JSON.parse(text) as Record<string, unknown>),
  };
}

/**
 * The SQL function ledger_post_batch: many transactions in one statement, each posted as
 * ledger_post_transaction would, one after the other; a refused one is reported in its row.
 */
export async function callLedgerPostBatch(client: LedgerSqlClient, requests: LedgerPostRequest[]): Promise<LedgerBatchRow[]> {
  const offsets: number[] = [1];
  const flat: PostingArrays = { codes: [], amounts: [], currencies: [], ownerTypes: [], ownerIds: [], purposes: [], allowNegative: [] };
  for (const request of requests) {
    for (const name of Object.keys(flat) as Array<keyof PostingArrays>) {
      (flat[name] as unknown[]).push(...request.postings[name]);
    }
    offsets.push(flat.codes.length + 1);
  }
  const rows = await textRows(client, {
    name: "ledger-post-batch",
    text: batchText,
    values: [
      textArrayLiteral(requests.map((r) => r.idempotencyKey)), textArrayLiteral(requests.map((r) => r.kind)),
      textArrayLiteral(requests.map((r) => r.metadata)), textArrayLiteral(requests.map((r) => r.contractId)),
      textArrayLiteral(requests.map((r) => r.requestHash)), int8ArrayLiteral(offsets.map(BigInt)),
      textArrayLiteral(flat.codes), int8ArrayLiteral(flat.amounts), textArrayLiteral(flat.currencies),
      textArrayLiteral(flat.ownerTypes), textArrayLiteral(flat.ownerIds), textArrayLiteral(flat.purposes),
      booleanArrayLiteral(flat.allowNegative),
    ],
  });
  return rows.map(decodeBatchRow);
}
