import type { Deposit, TxClient } from "@agrinet/db";
import { depositFromRow, type DepositRow } from "./deposits";
import { insertEventsSql, outboxEventsJson, type OutboxEventRow } from "./outbox";
import { txRows } from "./sql-client";

/*
 * The SQL of the one deposit credit (confirmDepositsInTx): the deposits it confirms are locked
 * and read in one statement (unless the caller locked them already), then written once, with
 * their ledger ids and their deposit.confirmed events, in another. A confirmation used to update
 * each row twice (its status, then its ledger ids): two new row versions, each with an entry in
 * every index of `deposits`.
 */

/**
 * Locks the deposits, in id order (the order every batch takes them, so two batches never wait
 * on each other in a cycle), and returns them as they are once locked: a confirmation that
 * committed while this one waited is seen, as a conditional update would have re-checked it.
 */
export async function lockDepositsForCredit(tx: TxClient, depositIds: string[]): Promise<Map<string, Deposit>> {
  const rows = await txRows<DepositRow>(tx, {
    name: "deposits-lock-for-credit",
    text: "select * from deposits where id = any($1::text[]) order by id for update",
    values: [depositIds],
  });
  return new Map(rows.map((row) => [row.id, depositFromRow(row)]));
}

/** What a confirmation writes on its deposit: who confirmed it, the evidence, the ledger credit. */
export type DepositConfirmation = {
  id: string;
  confirmedBy: string;
  /** Absent: the deposit keeps what it had. */
  evidenceUrl?: string | undefined;
  receiptSha256?: string | undefined;
  receiptUrl?: string | undefined;
  stripePaymentIntentId?: string | undefined;
  transactionId: string;
  entryIds: string[];
};

/**
 * Marks locked deposits confirmed with their ledger credit, one statement for a batch; answers
 * the rows as written, by id. `confirmed_at` and `updated_at` are the transaction's time. Each
 * row comes back as its locked read with what the statement wrote: only the time is read back.
 */
export async function recordDepositConfirmations(
  tx: TxClient,
  confirmations: DepositConfirmation[],
  /** The deposits by id as read once locked. */
  locked: ReadonlyMap<string, Deposit>,
  /** The confirmations' events, written (and notified) in the same statement. */
  events: OutboxEventRow[],
): Promise<Map<string, Deposit>> {
  const rows = await txRows<{ id: string | null; confirmed_at: Date }>(tx, {
    name: "deposits-record-confirmations",
    text: `with confirmed as (
      update deposits d
      set status = 'confirmed', confirmed_at = now(), updated_at = now(), confirmed_by = v."confirmedBy",
          evidence_url = coalesce(v."evidenceUrl", d.evidence_url),
          receipt_sha256 = coalesce(v."receiptSha256", d.receipt_sha256),
          receipt_url = coalesce(v."receiptUrl", d.receipt_url),
          stripe_payment_intent_id = coalesce(v."stripePaymentIntentId", d.stripe_payment_intent_id),
          ledger_transaction_id = v."transactionId", ledger_entry_ids = v."entryIds"
      from jsonb_to_recordset($1::jsonb)
        as v(id text, "confirmedBy" text, "evidenceUrl" text, "receiptSha256" text, "receiptUrl" text,
             "stripePaymentIntentId" text, "transactionId" text, "entryIds" text[])
      where d.id = v.id and d.id = any($2::text[])
      returning d.id, d.confirmed_at
    ), ${insertEventsSql("$3")}
    select confirmed.* from woken left join confirmed on true`,
    // The ids again as an array, so no plan joins the recordset against a scan of every deposit.
    // The NOTIFY is read from the one-row side of a left join: it is sent whatever was confirmed.
    values: [JSON.stringify(confirmations), confirmations.map((confirmation) => confirmation.id), outboxEventsJson(events)],
  });
  const confirmedAt = new Map(rows.flatMap((row) => (row.id === null ? [] : [[row.id, row.confirmed_at] as const])));
  const written = new Map<string, Deposit>();
  for (const confirmation of confirmations) {
    const at = confirmedAt.get(confirmation.id);
    const read = locked.get(confirmation.id);
    if (!at || !read) continue;
    written.set(confirmation.id, {
      ...read,
      status: "confirmed",
      confirmedAt: at,
      updatedAt: at,
      confirmedBy: confirmation.confirmedBy,
      evidenceUrl: confirmation.evidenceUrl ?? read.evidenceUrl,
      receiptSha256: confirmation.receiptSha256 ?? read.receiptSha256,
      receiptUrl: confirmation.receiptUrl ?? read.receiptUrl,
      stripePaymentIntentId: confirmation.stripePaymentIntentId ?? read.stripePaymentIntentId,
      ledgerTransactionId: confirmation.transactionId,
      ledgerEntryIds: confirmation.entryIds,
    });
  }
  return written;
}

/** What failing a pending deposit writes on it. */
export type DepositFailure = {
  id: string;
  reason: string;
  failureCode: string | null;
  /** Absent: the deposit keeps what it had. */
  stripePaymentIntentId?: string | undefined;
};

/** pending → failed, conditional on the row still being pending: the row as written, null when it was not pending (or does not exist). */
export async function recordDepositFailure(tx: TxClient, failure: DepositFailure): Promise<Deposit | null> {
  const [row] = await txRows<DepositRow>(tx, {
    name: "deposits-record-failure",
    text: `update deposits
      set status = 'failed', failed_at = now(), updated_at = now(), failure_reason = $2, failure_code = $3,
          stripe_payment_intent_id = coalesce($4, stripe_payment_intent_id)
      where id = $1 and status = 'pending'
      returning *`,
    values: [failure.id, failure.reason, failure.failureCode, failure.stripePaymentIntentId ?? null],
  });
  return row ? depositFromRow(row) : null;
}
