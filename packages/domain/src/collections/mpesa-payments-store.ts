import type { Db, Deposit, MpesaPayment, Prisma, Queryable, Tx } from "@agrinet/db";
import { depositFromRow, type DepositRow } from "@agrinet/stores/deposits";

/**
 * SQL for mpesa_payments (until the stores package takes it): locks, the callback log and the
 * STK Query schedule. Every change to a payment happens with its row locked, first thing in the
 * transaction, so callbacks, query answers and staff actions on one payment run one at a time.
 */

export function newMpesaPaymentId(now = Date.now()): string {
  return `mpp_${now.toString(16).padStart(12, "0")}${Math.floor(Math.random() * 2 ** 48)
    .toString(16)
    .padStart(12, "0")}`;
}

/** An STK request's payment row, written before the push (amount in minor units, as text). */
export type NewStkPayment = {
  id: string;
  depositId: string;
  phoneNumber: string;
  accountReference: string;
  requestedAmount: string;
  currency: string;
  queryAfterSeconds: number;
};

/** Inserts STK payments and schedules the sweeps that will query them: one statement. */
export async function insertStkPayments(pool: Queryable, payments: NewStkPayment[]): Promise<void> {
  await pool.query({
    name: "insert-stk-payments",
    text: `with created as (
             insert into mpesa_payments (id, kind, deposit_id, phone_number, account_reference, requested_amount, currency, state, next_query_at)
             select id, 'stk', deposit_id, phone_number, account_reference, requested_amount, currency, 'requesting',
                    now() + make_interval(secs => after_seconds)
             from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::double precision[])
               as i(id, deposit_id, phone_number, account_reference, requested_amount, currency, after_seconds)
             returning next_query_at
           )
           select schedule_mpesa_stk_sweeps(array(select next_query_at from created))`,
    values: [
      payments.map((p) => p.id),
      payments.map((p) => p.depositId),
      payments.map((p) => p.phoneNumber),
      payments.map((p) => p.accountReference),
      payments.map((p) => p.requestedAmount),
      payments.map((p) => p.currency),
      payments.map((p) => p.queryAfterSeconds),
    ],
  });
}

/** Daraja's acknowledgement of an STK Push: the prompt is on the payer's phone. */
export type AcceptedStkPush = { id: string; checkoutRequestId: string; merchantRequestId: string };

/**
 * Records acknowledged pushes (a callback may have come first and recorded the checkout id
 * already: only gaps are filled) and returns their deposits as they are now, by payment id.
 */
export async function recordStkPushesAccepted(pool: Queryable, pushes: AcceptedStkPush[]): Promise<Map<string, Deposit>> {
  const { rows } = await pool.query<DepositRow & { payment_id: string }>({
    name: "record-stk-pushes-accepted",
    text: `with accepted as (
             update mpesa_payments m
             set checkout_request_id = coalesce(m.checkout_request_id, a.checkout_request_id),
                 merchant_request_id = coalesce(m.merchant_request_id, a.merchant_request_id),
                 state = case when m.state = 'requesting' then 'sent' else m.state end,
                 updated_at = now()
             from unnest($1::text[], $2::text[], $3::text[]) as a(id, checkout_request_id, merchant_request_id)
             where m.id = a.id
             returning m.id, m.deposit_id
           )
           select d.*, accepted.id as payment_id from accepted join deposits d on d.id = accepted.deposit_id`,
    values: [pushes.map((p) => p.id), pushes.map((p) => p.checkoutRequestId), pushes.map((p) => p.merchantRequestId)],
  });
  return new Map(rows.map((row) => [row.payment_id, depositFromRow(row)]));
}

/** Locks and returns the payment; null when none matches. */
export async function lockMpesaPayment(
  tx: Tx,
  by: { id: string } | { depositId: string } | { checkoutRequestId: string } | { receipt: string },
): Promise<MpesaPayment | null> {
  const [column, value] =
    "id" in by
      ? ["id", by.id]
      : "depositId" in by
        ? ["deposit_id", by.depositId]
        : "checkoutRequestId" in by
          ? ["checkout_request_id", by.checkoutRequestId]
          : ["receipt", by.receipt];
  const rows = await tx.$queryRawUnsafe<Array<{ id: string }>>(
    `select id from mpesa_payments where ${column} = $1 for update`,
    value,
  );
  if (!rows[0]) return null;
  return tx.mpesaPayment.findUnique({ where: { id: rows[0].id } });
}

/**
 * Locks the STK payments named by deposit or checkout request, in id order (so concurrent
 * batches never wait on each other in a cycle), and returns them.
 */
export async function lockStkPayments(
  tx: Tx,
  by: { depositIds: string[]; checkoutRequestIds: string[] },
): Promise<MpesaPayment[]> {
  const rows = await tx.$queryRaw<Array<{ id: string }>>`
    select id from mpesa_payments
    where deposit_id = any(${by.depositIds}::text[]) or checkout_request_id = any(${by.checkoutRequestIds}::text[])
    order by id
    for update`;
  if (rows.length === 0) return [];
  return tx.mpesaPayment.findMany({ where: { id: { in: rows.map((row) => row.id) } } });
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
    where m.id = v.id`;
}

/** What a confirming STK answer writes on its payment (amount in minor units, as text). */
export type PaidStkPayment = {
  id: string;
  checkoutRequestId: string;
  resultCode: string;
  resultDesc: string;
  amount: string;
  receipt: string | null;
};

/** Marks STK payments paid, one statement for all: their query plan ends. */
export async function markStkPaymentsPaid(tx: Tx, payments: PaidStkPayment[]): Promise<void> {
  await tx.$executeRaw`
    update mpesa_payments m
    set state = 'paid', checkout_request_id = v."checkoutRequestId", result_code = v."resultCode", result_desc = v."resultDesc",
        amount = v.amount::bigint, receipt = v.receipt, next_query_at = null, updated_at = now()
    from jsonb_to_recordset(${JSON.stringify(payments)}::jsonb)
      as v(id text, "checkoutRequestId" text, "resultCode" text, "resultDesc" text, amount text, receipt text)
    where m.id = v.id`;
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
  return db.$queryRaw<Array<{ id: string; deposit_id: string | null; checkout_request_id: string | null; queries: number }>>`
    update mpesa_payments set next_query_at = now() + make_interval(secs => ${options.leaseMs / 1000}::double precision)
    where id in (
      select id from mpesa_payments
      where kind = 'stk' and next_query_at <= now()
      order by next_query_at
      limit ${options.limit}
      for update skip locked
    )
    returning id, deposit_id, checkout_request_id, queries`;
}

/** The earliest planned STK Query, to schedule the sweep that will make it. */
export async function nextStkQueryAt(db: Db): Promise<Date | null> {
  const [row] = await db.$queryRaw<Array<{ at: Date | null }>>`
    select min(next_query_at) as at from mpesa_payments where kind = 'stk' and next_query_at is not null`;
  return row?.at ?? null;
}
