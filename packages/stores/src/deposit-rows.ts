import type { Deposit } from "@agrinet/db";

/**
 * A `deposits` row as node-postgres returns it (bigint as text, jsonb parsed, timestamps as Date),
 * or Prisma's raw query (bigint as bigint).
 */
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
