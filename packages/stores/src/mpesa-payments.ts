import type { Db, Deposit, MpesaPayment, Prisma, Queryable, Tx, TxClient } from "@agrinet/db";
import { depositFromPrefixedRow, depositFromRow, prefixedDepositColumns, type DepositRow } from "./deposits";
import { txRows } from "./sql-client";

/*
 * The M-Pesa collections area's SQL on mpesa_payments: locks, the callback log and the STK Query
 * schedule. Every change to a payment happens with its row locked, first thing in the
 * transaction, so callbacks, query answers and staff actions on one payment run one at a time.
 */

/** An `mpesa_payments` row as a raw query returns it (bigint as bigint or text). */
export type MpesaPaymentRow = {
  id: string;
  kind: MpesaPayment["kind"];
  deposit_id: string | null;
  checkout_request_id: string | null;
  merchant_request_id: string | null;
  receipt: string | null;
  phone_number: string | null;
  account_reference: string | null;
  requested_amount: bigint | string | null;
  amount: bigint | string | null;
  currency: string;
  state: string;
  result_code: string | null;
  result_desc: string | null;
  next_query_at: Date | null;
  queries: number;
  flagged_at: Date | null;
  exception: string | null;
  exception_reason: string | null;
  suspense_transaction_id: string | null;
  resolved_by: string | null;
  resolved_at: Date | null;
  reversal_conversation_id: string | null;
  validated_at: Date | null;
  callbacks: MpesaPayment["callbacks"];
  created_at: Date;
  updated_at: Date;
};

/** The same payment as Prisma would have returned it. */
export function mpesaPaymentFromRow(row: MpesaPaymentRow): MpesaPayment {
  return {
    id: row.id,
    kind: row.kind,
    depositId: row.deposit_id,
    checkoutRequestId: row.checkout_request_id,
    merchantRequestId: row.merchant_request_id,
    receipt: row.receipt,
    phoneNumber: row.phone_number,
    accountReference: row.account_reference,
    requestedAmount: row.requested_amount === null ? null : BigInt(row.requested_amount),
    amount: row.amount === null ? null : BigInt(row.amount),
    currency: row.currency,
    state: row.state,
    resultCode: row.result_code,
    resultDesc: row.result_desc,
    nextQueryAt: row.next_query_at,
    queries: row.queries,
    flaggedAt: row.flagged_at,
    exception: row.exception,
    exceptionReason: row.exception_reason,
    suspenseTransactionId: row.suspense_transaction_id,
    resolvedBy: row.resolved_by,
    resolvedAt: row.resolved_at,
    reversalConversationId: row.reversal_conversation_id,
    validatedAt: row.validated_at,
    callbacks: row.callbacks,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function newMpesaPaymentId(now = Date.now()): string {
  return `mpp_${now.toString(16).padStart(12, "0")}${Math.floor(Math.random() * 2 ** 48)
    .toString(16)
    .padStart(12, "0")}`;
}

/** Daraja's acknowledgement of an STK Push: the prompt is on the payer's phone. */
export type AcceptedStkPush = { id: string; checkoutRequestId: string; merchantRequestId: string };

/**
 * Records acknowledged pushes (a callback may have come first and recorded the checkout id
 * already: only gaps are filled) and returns, by payment id, those of their deposits that are no
 * longer pending (a callback settled them first). A deposit still pending is as it was created:
 * the push's answer writes only its payment, and the row would cost every request its decoding.
 */
export async function recordStkPushesAccepted(pool: Queryable, pushes: AcceptedStkPush[]): Promise<Map<string, Deposit>> {
  const { rows } = await pool.query<DepositRow & { payment_id: string }>({
    name: "record-stk-pushes-accepted",
    // The rows are locked in id order first, the order a batch of STK answers takes them in:
    // taken in the pushes' order, this statement and a batch could each hold a row the other
    // waits for, a deadlock PostgreSQL breaks only after deadlock_timeout (1 s).
    text: `with locked as (
             select id from mpesa_payments where id = any($1::text[]) order by id for update
           ), accepted as (
             update mpesa_payments m
             set checkout_request_id = coalesce(m.checkout_request_id, a.checkout_request_id),
                 merchant_request_id = coalesce(m.merchant_request_id, a.merchant_request_id),
                 state = case when m.state = 'requesting' then 'sent' else m.state end,
                 updated_at = now()
             from unnest($1::text[], $2::text[], $3::text[]) as a(id, checkout_request_id, merchant_request_id)
             join locked on locked.id = a.id
             where m.id = a.id
             returning m.id, m.deposit_id
           )
           select d.*, accepted.id as payment_id from accepted join deposits d on d.id = accepted.deposit_id
           where d.status <> 'pending'`,
    values: [pushes.map((p) => p.id), pushes.map((p) => p.checkoutRequestId), pushes.map((p) => p.merchantRequestId)],
  });
  return new Map(rows.map((row) => [row.payment_id, depositFromRow(row)]));
}

/** Locks and returns the payment; null when none matches. */
export async function lockMpesaPayment(
  tx: Tx,
  by: { id: string } | { depositId: string } | { checkoutRequestId: string } | { receipt: string },
): Promise<MpesaPayment | null> {
  const column =
    "id" in by ? "id" : "depositId" in by ? "deposit_id" : "checkoutRequestId" in by ? "checkout_request_id" : "receipt";
  const value = "id" in by ? by.id : "depositId" in by ? by.depositId : "checkoutRequestId" in by ? by.checkoutRequestId : by.receipt;
  const [row] = await tx.$queryRawUnsafe<MpesaPaymentRow[]>(`select * from mpesa_payments where ${column} = $1 for update`, value);
  return row ? mpesaPaymentFromRow(row) : null;
}

/** What a batch of STK answers decides on, read with the rows it will change locked. */
export type LockedStkAnswerRows = {
  /** The STK payments named by deposit or checkout request, in id order. */
  payments: MpesaPayment[];
  /** Those payments' deposits by id, as they are once locked (after the payments). */
  deposits: Map<string, Deposit>;
  /** Which payment already holds each of the answers' receipts (receipt → payment id). */
  receiptHolders: Map<string, string>;
};

/**
 * Locks the STK payments named by deposit or checkout request in id order, then their deposits
 * in id order (so concurrent batches never wait on each other in a cycle), and reads who holds
 * the receipts: one statement, one round trip, for what three used to ask. The holders' row is
 * always there, with the payments' rows (if any) joined to it.
 */
export async function lockStkAnswerRows(
  tx: TxClient,
  by: { depositIds: string[]; checkoutRequestIds: string[]; receipts: string[] },
): Promise<LockedStkAnswerRows> {
  const rows = await txRows<Partial<MpesaPaymentRow> & { receipt_holders: Record<string, string> }>(tx, {
    name: "mpesa-lock-stk-answer-rows",
    text: `with payments as (
             select * from mpesa_payments
             where deposit_id = any($1::text[]) or checkout_request_id = any($2::text[])
             order by id
             for update
           ),
           locked_deposits as (
             select * from deposits
             where id in (select deposit_id from payments where deposit_id is not null)
             order by id
             for update
           )
           select holders.receipt_holders, p.*, ${prefixedDepositColumns("d")}
           from (select coalesce(json_object_agg(receipt, id), '{}'::json) as receipt_holders
                 from mpesa_payments where receipt = any($3::text[])) holders
           left join payments p on true
           left join locked_deposits d on d.id = p.deposit_id
           order by p.id`,
    values: [by.depositIds, by.checkoutRequestIds, by.receipts],
  });
  const payments: MpesaPayment[] = [];
  const deposits = new Map<string, Deposit>();
  for (const row of rows) {
    if (row.id === undefined || row.id === null) continue;
    payments.push(mpesaPaymentFromRow(row as MpesaPaymentRow));
    const deposit = depositFromPrefixedRow(row);
    if (deposit) deposits.set(deposit.id, deposit);
  }
  return { payments, deposits, receiptHolders: new Map(Object.entries(rows[0]!.receipt_holders)) };
}

/** The receipt a later answer brings for a payment a query had already settled as paid. */
export async function recordMpesaReceipt(tx: TxClient, paymentId: string, receipt: string): Promise<void> {
  await txRows(tx, {
    name: "mpesa-record-receipt",
    text: "update mpesa_payments set receipt = $2, updated_at = now() where id = $1",
    values: [paymentId, receipt],
  });
}

/**
 * An STK payment M-Pesa reports paid but that credits no deposit (it goes to suspense): paid,
 * with M-Pesa's amount (minor units) and receipt, no more queries. Its checkout id and result
 * are written when given (absent: kept). Answers the row as written.
 */
export async function recordStkPaidToSuspense(
  tx: TxClient,
  paymentId: string,
  paid: { amount: bigint; receipt: string | null; checkoutRequestId?: string | undefined; resultCode?: string | undefined; resultDesc?: string | undefined },
): Promise<MpesaPayment> {
  const [row] = await txRows<MpesaPaymentRow>(tx, {
    name: "mpesa-stk-paid-to-suspense",
    text: `update mpesa_payments
           set state = 'paid', amount = $2::bigint, receipt = $3, next_query_at = null,
               checkout_request_id = coalesce($4, checkout_request_id), result_code = coalesce($5, result_code),
               result_desc = coalesce($6, result_desc), updated_at = now()
           where id = $1
           returning *`,
    values: [paymentId, paid.amount.toString(), paid.receipt, paid.checkoutRequestId ?? null, paid.resultCode ?? null, paid.resultDesc ?? null],
  });
  if (!row) throw new Error(`no M-Pesa payment ${paymentId}`);
  return mpesaPaymentFromRow(row);
}

/** A paid STK payment for a request this platform has no record of (it goes to suspense). */
export type UnknownStkPayment = {
  id: string;
  checkoutRequestId: string;
  receipt: string;
  phoneNumber: string | null;
  /** Minor units. */
  amount: bigint;
  currency: string;
  resultCode: string;
  resultDesc: string;
  /** The callback's log entry. */
  callback: { source: string; at: string; payload: unknown };
};

export async function insertUnknownStkPayment(tx: TxClient, payment: UnknownStkPayment): Promise<MpesaPayment> {
  const [row] = await txRows<MpesaPaymentRow>(tx, {
    name: "mpesa-insert-unknown-stk",
    text: `insert into mpesa_payments (id, kind, checkout_request_id, receipt, phone_number, amount, currency, state, result_code, result_desc, callbacks)
           values ($1, 'stk', $2, $3, $4, $5::bigint, $6, 'paid', $7, $8, jsonb_build_array($9::jsonb))
           returning *`,
    values: [
      payment.id, payment.checkoutRequestId, payment.receipt, payment.phoneNumber, payment.amount.toString(), payment.currency,
      payment.resultCode, payment.resultDesc, JSON.stringify(payment.callback),
    ],
  });
  return mpesaPaymentFromRow(row!);
}

/** The deposit a payment belongs to (null: none, or no such payment). */
export async function mpesaPaymentDepositId(tx: TxClient, paymentId: string): Promise<string | null> {
  const [row] = await txRows<{ deposit_id: string | null }>(tx, {
    name: "mpesa-payment-deposit-id",
    text: "select deposit_id from mpesa_payments where id = $1",
    values: [paymentId],
  });
  return row?.deposit_id ?? null;
}

/** Opens the payment's exception (staff's unmatched queue), naming why and the suspense credit. */
export async function openMpesaException(tx: TxClient, paymentId: string, reason: string, suspenseTransactionId: string): Promise<void> {
  await txRows(tx, {
    name: "mpesa-open-exception",
    text: "update mpesa_payments set exception = 'open', exception_reason = $2, suspense_transaction_id = $3, updated_at = now() where id = $1",
    values: [paymentId, reason, suspenseTransactionId],
  });
}

/** Appends what Daraja said (a callback or a query answer) to the payment's log, as received. */
export async function appendMpesaCallback(tx: Tx, paymentId: string, source: string, payload: unknown): Promise<void> {
  await appendMpesaCallbacks(tx, [{ paymentId, source, payload }]);
}

/** The same for several payments (a payment's entries in their order), one statement. */
export async function appendMpesaCallbacks(tx: Tx, entries: Array<{ paymentId: string; source: string; payload: unknown }>): Promise<void> {
  if (entries.length === 0) return;
  const at = new Date().toISOString();
  const byPayment = new Map<string, unknown[]>();
  for (const { paymentId, source, payload } of entries) byPayment.set(paymentId, [...(byPayment.get(paymentId) ?? []), { source, at, payload }]);
  const rows = JSON.stringify([...byPayment].map(([id, entry]) => ({ id, entry })));
  await tx.$executeRaw`
    update mpesa_payments m set callbacks = m.callbacks || v.entry
    from jsonb_to_recordset(${rows}::jsonb) as v(id text, entry jsonb)
    where m.id = v.id and m.id = any(${[...byPayment.keys()]}::text[])`;
}

/** What a final STK answer writes on its payment (amount in minor units, as text). */
export type SettledStkPayment = {
  state: string;
  checkoutRequestId: string;
  resultCode: string;
  resultDesc: string;
  /** Paid only; absent for a failure. */
  amount?: string | undefined;
  receipt?: string | null | undefined;
};

/** One payment's share of a batch of STK answers: what Daraja said, and how the payment ends. */
export type StkAnswerWrite = {
  id: string;
  callbacks: Array<{ source: string; payload: unknown }>;
  /** Absent: the log only (the payment was already final, or another statement settled it). */
  settle?: SettledStkPayment | undefined;
};

/**
 * Writes a batch of STK answers, one statement, each payment's row once: the answers appended to
 * its log and, when one of them settles it, its final state (no more queries planned).
 */
export async function writeStkAnswers(tx: TxClient, writes: StkAnswerWrite[]): Promise<void> {
  if (writes.length === 0) return;
  const at = new Date().toISOString();
  const rows = writes.map(({ id, callbacks, settle }) => ({
    id,
    entries: callbacks.map(({ source, payload }) => ({ source, at, payload })),
    settle: settle !== undefined,
    ...settle,
  }));
  await txRows(tx, {
    name: "mpesa-write-stk-answers",
    text: `update mpesa_payments m
           set callbacks = m.callbacks || v.entries,
               state = case when v.settle then v.state else m.state end,
               checkout_request_id = case when v.settle then v."checkoutRequestId" else m.checkout_request_id end,
               result_code = case when v.settle then v."resultCode" else m.result_code end,
               result_desc = case when v.settle then v."resultDesc" else m.result_desc end,
               amount = coalesce(v.amount::bigint, m.amount),
               receipt = case when v.settle and v.state = 'paid' then v.receipt else m.receipt end,
               next_query_at = case when v.settle then null else m.next_query_at end,
               updated_at = now()
           from jsonb_to_recordset($1::jsonb)
             as v(id text, entries jsonb, settle boolean, state text, "checkoutRequestId" text, "resultCode" text, "resultDesc" text, amount text, receipt text)
           where m.id = v.id and m.id = any($2::text[])`,
    // The ids again as an array: with only the recordset (which the planner guesses at 100 rows)
    // a generic plan joined it against a sequential scan of every payment.
    values: [JSON.stringify(rows), writes.map((write) => write.id)],
  });
}

/** Plans the payment's next STK Query at `at` (null: none) and the sweep job that will run it. */
export async function scheduleStkQuery(tx: Tx | Db, paymentId: string, at: Date | null, data: Prisma.MpesaPaymentUpdateInput = {}) {
  await tx.mpesaPayment.update({ where: { id: paymentId }, data: { ...data, nextQueryAt: at } });
  if (at) await scheduleStkSweeps(tx, [at]);
}

export async function scheduleStkSweeps(tx: Tx | Db, due: Date[]): Promise<void> {
  if (due.length === 0) return;
  await tx.$queryRaw`select schedule_mpesa_stk_sweeps(${due}::timestamptz[])`;
}

/**
 * Takes up to `limit` STK payments whose query is due, each under a lease (its next query moved
 * `leaseMs` ahead), so concurrent sweeps split the work and a sweeper killed mid-way leaves its
 * payments due again when the lease ends.
 */
export async function claimDueStkQueries(db: Db, options: { limit: number; leaseMs: number }) {
  return db.$queryRaw<Array<{ id: string; depositId: string | null; checkoutRequestId: string | null; queries: number }>>`
    update mpesa_payments set next_query_at = now() + make_interval(secs => ${options.leaseMs / 1000}::double precision)
    where id in (
      select id from mpesa_payments
      where kind = 'stk' and next_query_at <= now()
      order by next_query_at
      limit ${options.limit}
      for update skip locked
    )
    returning id, deposit_id as "depositId", checkout_request_id as "checkoutRequestId", queries`;
}

/** The earliest planned STK Query, to schedule the sweep that will make it. */
export async function nextStkQueryAt(db: Db): Promise<Date | null> {
  const [row] = await db.$queryRaw<Array<{ at: Date | null }>>`
    select min(next_query_at) as at from mpesa_payments where kind = 'stk' and next_query_at is not null`;
  return row?.at ?? null;
}

/** Unmatched payments still open in the exceptions queue, by currency: how many, and the oldest's age. */
export async function openUnmatchedPayments(db: Queryable): Promise<Array<{ currency: string; count: number; oldestSeconds: number }>> {
  const { rows } = await db.query<{ currency: string; count: number; oldest_seconds: number }>({
    name: "mpesa-open-unmatched",
    text: `select currency, count(*)::int as count, extract(epoch from now() - min(created_at))::float8 as oldest_seconds
           from mpesa_payments where exception = 'open' group by currency order by currency`,
  });
  return rows.map((row) => ({ currency: row.currency, count: row.count, oldestSeconds: row.oldest_seconds }));
}
