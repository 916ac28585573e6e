import { int8ArrayLiteral, textArrayLiteral, type Db, type Deposit, type Tx, type TxClient } from "@agrinet/db";
import { txRows } from "./sql-client";

/*
 * The deposits area's SQL: POST /deposit's group-committed insert (rows, deposit.created events
 * and STK deposits' payment rows in one statement), and the row lock that serialises a deposit's
 * refunds. Rows come back as Prisma's `Deposit`, decoded once here (depositFromRow).
 */

/** A `deposits` row as node-postgres returns it (bigint as text, jsonb parsed, timestamps as Date), or a Prisma raw query (bigint as bigint). */
export type DepositRow = {
  id: string;
  user_id: string;
  amount: string | bigint;
  currency: string;
  method: Deposit["method"];
  reference: string;
  metadata: Deposit["metadata"];
  contract_id: string | null;
  status: Deposit["status"];
  ledger_transaction_id: string | null;
  ledger_entry_ids: string[];
  confirmed_by: string | null;
  evidence_url: string | null;
  receipt_sha256: string | null;
  receipt_url: string | null;
  partner_id: string;
  failure_code: string | null;
  failure_reason: string | null;
  stripe_payment_intent_id: string | null;
  refunded_amount: string | bigint;
  created_at: Date;
  updated_at: Date;
  confirmed_at: Date | null;
  failed_at: Date | null;
};

/** Every column of a `deposits` row (TypeScript checks the list against DepositRow). */
const depositColumnSet = {
  id: 1, user_id: 1, amount: 1, currency: 1, method: 1, reference: 1, metadata: 1, contract_id: 1, status: 1,
  ledger_transaction_id: 1, ledger_entry_ids: 1, confirmed_by: 1, evidence_url: 1, receipt_sha256: 1, receipt_url: 1,
  partner_id: 1, failure_code: 1, failure_reason: 1, stripe_payment_intent_id: 1, refunded_amount: 1, created_at: 1,
  updated_at: 1, confirmed_at: 1, failed_at: 1,
} satisfies Record<keyof DepositRow, 1>;
const depositColumns = Object.keys(depositColumnSet) as Array<keyof DepositRow>;
const prefixedColumns = depositColumns.map((column) => [column, `deposit.${column}`] as const);

/**
 * A select list of the deposit `alias`'s columns, each prefixed `deposit.`, for a statement that
 * returns a deposit beside another table's row; `depositFromPrefixedRow` reads it back.
 */
export function prefixedDepositColumns(alias: string): string {
  return prefixedColumns.map(([column, prefixed]) => `${alias}.${column} as "${prefixed}"`).join(", ");
}

/** The deposit in a row selected with `prefixedDepositColumns`; null when its id is null (no deposit joined). */
export function depositFromPrefixedRow(row: Record<string, unknown>): Deposit | null {
  if (row["deposit.id"] === null || row["deposit.id"] === undefined) return null;
  const deposit: Partial<Record<keyof DepositRow, unknown>> = {};
  for (const [column, prefixed] of prefixedColumns) deposit[column] = row[prefixed];
  return depositFromRow(deposit as DepositRow);
}

/** The same deposit as Prisma would have returned it. */
export function depositFromRow(row: DepositRow): Deposit {
  return {
    id: row.id,
    userId: row.user_id,
    partnerId: row.partner_id,
    amount: BigInt(row.amount),
    currency: row.currency,
    method: row.method,
    reference: row.reference,
    metadata: row.metadata,
    contractId: row.contract_id,
    status: row.status,
    ledgerTransactionId: row.ledger_transaction_id,
    ledgerEntryIds: row.ledger_entry_ids,
    confirmedBy: row.confirmed_by,
    evidenceUrl: row.evidence_url,
    receiptSha256: row.receipt_sha256,
    receiptUrl: row.receipt_url,
    failureCode: row.failure_code,
    failureReason: row.failure_reason,
    stripePaymentIntentId: row.stripe_payment_intent_id,
    refundedAmount: BigInt(row.refunded_amount),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    confirmedAt: row.confirmed_at,
    failedAt: row.failed_at,
  };
}

export type PendingDepositInsert = {
  id: string;
  partnerId: string;
  userId: string;
  amount: bigint;
  currency: string;
  method: Deposit["method"];
  reference: string;
  /** JSON text. */
  metadata: string;
  contractId: string | null;
  /** The deposit.created event's payload, JSON text. */
  eventPayload: string;
  /** An STK deposit's M-Pesa payment row, written with the deposit (none when the reference is taken). */
  stkPayment: DepositStkPayment | null;
};

/** The payment row an STK Push is sent for: state `requesting`, the deposit's amount and currency. */
export type DepositStkPayment = {
  id: string;
  phoneNumber: string;
  accountReference: string;
  /** When to ask STK Query if no callback has settled it. */
  queryAt: Date;
};

/**
 * Inserts pending deposits and their events (type `eventType`, aggregate `deposit`, concerning
 * the deposit's user) in one statement, one commit; a reference the partner already used inserts
 * nothing. STK deposits' payment rows go in the same statement, and a sweep job is scheduled for
 * each of `stkSweepSlots` (whole seconds; the caller leaves out those already scheduled, see
 * stk-deposits), so a request waits for one commit before its push, not two. Returns the rows, in
 * the items' order (null where the reference is taken). No NOTIFY: the caller wakes the outbox
 * dispatcher after commit.
 */
export async function insertPendingDeposits(
  db: Db,
  items: PendingDepositInsert[],
  eventType: string,
  stkSweepSlots: Date[] = [],
): Promise<Array<Deposit | null>> {
  const stk = items.flatMap((item) => (item.stkPayment ? [{ depositId: item.id, ...item.stkPayment }] : []));
  // On the pg pool: a Prisma query costs several times the CPU of a pg round trip, and this is
  // the API's busiest write. Named: each connection plans it once. The sweeps are called from the
  // one-row side of a left join, so they run even when every reference was taken.
  const { rows } = await db.$pool.query<DepositRow & { id: string | null }>({
    name: "insert-pending-deposits",
    text: `with input as (
       select * from unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::deposit_method[],
                            $6::text[], $7::jsonb[], $8::text[], $9::jsonb[], $12::text[])
                     with ordinality as t(id, user_id, amount, currency, method, reference, metadata, contract_id, payload, partner_id, position)
     ), created as (
       insert into deposits (id, partner_id, user_id, amount, currency, method, reference, metadata, contract_id)
       select id, partner_id, user_id, amount, currency, method, reference, metadata, contract_id from input order by position
       on conflict (partner_id, reference) do nothing
       returning *
     ), event as (
       insert into domain_events (type, aggregate_type, aggregate_id, user_ids, payload)
       select $10, $11, created.id, array[created.user_id], input.payload
       from created join input on input.id = created.id
       order by input.position
     ), stk as (
       insert into mpesa_payments (id, kind, deposit_id, phone_number, account_reference, requested_amount, currency, state, next_query_at)
       select p.id, 'stk', created.id, p.phone_number, p.account_reference, created.amount, created.currency, 'requesting', p.query_at
       from unnest($13::text[], $14::text[], $15::text[], $16::text[], $17::timestamptz[])
              as p(deposit_id, id, phone_number, account_reference, query_at)
       join created on created.id = p.deposit_id
       order by p.id
     )
     select created.*
     from (select case when cardinality($18::timestamptz[]) > 0 then schedule_mpesa_stk_sweeps($18::timestamptz[]) else 0 end) as sweeps(n)
     left join created on true`,
    // Arrays in PostgreSQL's text syntax, built here: pg's own conversion escapes every element
    // twice over (and formats each Date) for each of the statement's ~16 arrays, every request.
    values: [
      textArrayLiteral(items.map((item) => item.id)),
      textArrayLiteral(items.map((item) => item.userId)),
      int8ArrayLiteral(items.map((item) => item.amount)),
      textArrayLiteral(items.map((item) => item.currency)),
      textArrayLiteral(items.map((item) => item.method)),
      textArrayLiteral(items.map((item) => item.reference)),
      textArrayLiteral(items.map((item) => item.metadata)),
      textArrayLiteral(items.map((item) => item.contractId)),
      textArrayLiteral(items.map((item) => item.eventPayload)),
      eventType,
      "deposit",
      textArrayLiteral(items.map((item) => item.partnerId)),
      textArrayLiteral(stk.map((payment) => payment.depositId)),
      textArrayLiteral(stk.map((payment) => payment.id)),
      textArrayLiteral(stk.map((payment) => payment.phoneNumber)),
      textArrayLiteral(stk.map((payment) => payment.accountReference)),
      textArrayLiteral(stk.map((payment) => payment.queryAt.toISOString())),
      textArrayLiteral(stkSweepSlots.map((slot) => slot.toISOString())),
    ],
  });
  const byId = new Map(rows.flatMap((row) => (row.id === null ? [] : [[row.id, row] as const])));
  return items.map((item) => {
    const row = byId.get(item.id);
    return row ? depositFromRow(row as DepositRow) : null;
  });
}

/** The deposit as it is (in the caller's transaction when given one); null when there is none. */
export async function readDeposit(client: TxClient | Db, id: string): Promise<Deposit | null> {
  const [row] = await txRows<DepositRow>(client, { name: "deposits-read", text: "select * from deposits where id = $1", values: [id] });
  return row ? depositFromRow(row) : null;
}

/** Locks the deposit's row until the transaction ends; false when there is none. */
export async function lockDeposit(tx: Tx, id: string): Promise<boolean> {
  const rows = await tx.$queryRaw<Array<{ id: string }>>`select id from deposits where id = ${id} for update`;
  return rows.length > 0;
}
