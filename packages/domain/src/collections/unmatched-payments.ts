import { DomainError, validationError, type CurrencyCode } from "@agrinet/core";
import type { Db, MpesaPayment, Prisma } from "@agrinet/db";
import { parseReversalResult } from "@agrinet/rails";
import { recordAudit } from "../audit/record-audit";
import { checkContractFundable } from "../contracts/contract-funds";
import { confirmDepositInTx } from "../deposits/confirm-deposit";
import { depositTransactionOptions } from "../deposits/deposit-transaction";
import { externalAccount, postLedgerTransaction, suspenseAccount } from "../ledger";
import { createMpesaDeposit } from "./c2b-payments";
import type { MpesaCollectionsClient } from "./collections-settings";
import { appendMpesaCallback, lockMpesaPayment, openUnmatchedPayments } from "@agrinet/stores/mpesa-payments";

export const exceptionStatuses = ["open", "assigned", "returning", "returned"] as const;
export type ExceptionStatus = (typeof exceptionStatuses)[number];

export type UnmatchedPaymentsPage = { items: MpesaPayment[]; nextCursor: string | null };

/** Open unmatched payments by currency (how many, the oldest's age in seconds): the API's gauges. */
export function unmatchedPaymentsWaiting(db: Db): Promise<Array<{ currency: string; count: number; oldestSeconds: number }>> {
  return openUnmatchedPayments(db.$pool);
}

/** The exceptions queue: unmatched M-Pesa payments, newest first (open ones by default). */
export async function listUnmatchedPayments(options: {
  db: Db;
  status?: ExceptionStatus | "all" | undefined;
  limit: number;
  cursor?: string | undefined;
}): Promise<UnmatchedPaymentsPage> {
  const status = options.status ?? "open";
  const and: Prisma.MpesaPaymentWhereInput[] = [status === "all" ? { exception: { not: null } } : { exception: status }];
  if (options.cursor) {
    const [at, id] = Buffer.from(options.cursor, "base64url").toString("utf8").split("|");
    const createdAt = new Date(at ?? "");
    if (!id || Number.isNaN(createdAt.getTime())) throw validationError([{ path: "cursor", message: "is not a cursor this list returned" }]);
    and.push({ OR: [{ createdAt: { lt: createdAt } }, { createdAt, id: { lt: id } }] });
  }
  const rows = await options.db.mpesaPayment.findMany({
    where: { AND: and },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: options.limit + 1,
  });
  const items = rows.slice(0, options.limit);
  const last = items[items.length - 1];
  return {
    items,
    nextCursor: rows.length > options.limit && last ? Buffer.from(`${last.createdAt.toISOString()}|${last.id}`).toString("base64url") : null,
  };
}

export async function getUnmatchedPayment(db: Db, paymentId: string): Promise<MpesaPayment> {
  const payment = await db.mpesaPayment.findUnique({ where: { id: paymentId } });
  if (!payment || !payment.exception) throw notFound(paymentId);
  return payment;
}

function notFound(paymentId: string) {
  return new DomainError("NOT_FOUND", `no unmatched M-Pesa payment ${paymentId}`, { fields: [{ path: "paymentId", message: "no such unmatched payment" }] });
}

function notOpen(payment: MpesaPayment) {
  return new DomainError("INVALID_STATE", `unmatched payment ${payment.id} is already ${payment.exception}`, {
    details: { paymentId: payment.id, exception: payment.exception },
  });
}

export type StaffAction = { actor: string; ip: string | null; note?: string | undefined };

/**
 * Staff give an unmatched payment to a user's wallet or a contract's escrow: a confirmed `mpesa`
 * deposit whose credit comes out of suspense (not from M-Pesa again), through the one deposit
 * credit, `confirmDepositInTx`. Audited in the same transaction; the payment stays, marked assigned.
 */
export async function assignUnmatchedPayment(
  options: { db: Db; paymentId: string; userId?: string | undefined; contractId?: string | undefined } & StaffAction,
) {
  const { db } = options;
  if (!options.userId === !options.contractId) {
    throw validationError([{ path: "userId", message: "name exactly one of userId or contractId" }]);
  }
  return db.$transaction(async (tx) => {
    const payment = await lockMpesaPayment(tx, { id: options.paymentId });
    if (!payment?.exception) throw notFound(options.paymentId);
    if (payment.exception !== "open") throw notOpen(payment);
    if (payment.amount === null || !payment.suspenseTransactionId) {
      throw new DomainError("INVALID_STATE", `payment ${payment.id} has no amount in suspense to assign`, { details: { paymentId: payment.id } });
    }
    let target: { userId: string; contractId: string | null };
    if (options.contractId) {
      await checkContractFundable(tx, { contractId: options.contractId, currency: payment.currency as CurrencyCode });
      const contract = await tx.contract.findUniqueOrThrow({ where: { id: options.contractId }, select: { consumerId: true } });
      target = { userId: contract.consumerId, contractId: options.contractId };
    } else {
      target = { userId: options.userId!, contractId: null };
    }
    const deposit = await createMpesaDeposit(tx, payment, target, payment.amount);
    const confirmed = await confirmDepositInTx(tx, {
      depositId: deposit.id,
      confirmedBy: options.actor,
      creditSource: suspenseAccount("mpesa", payment.currency as CurrencyCode),
    });
    const updated = await tx.mpesaPayment.update({
      where: { id: payment.id },
      data: { exception: "assigned", resolvedBy: options.actor, resolvedAt: new Date() },
    });
    await recordAudit(tx, {
      actor: options.actor,
      action: "mpesa.unmatched.assigned",
      target: `mpesa_payment:${payment.id}`,
      ip: options.ip,
      metadata: {
        amount: payment.amount,
        currency: payment.currency,
        receipt: payment.receipt,
        depositId: confirmed.deposit.id,
        userId: target.userId,
        contractId: target.contractId,
        ledgerTransactionId: confirmed.deposit.ledgerTransactionId,
        note: options.note ?? null,
      },
    });
    return { payment: updated, deposit: confirmed.deposit };
  }, depositTransactionOptions);
}

/**
 * Staff send an unmatched payment back to the payer with Daraja's Transaction Reversal. The
 * money stays in suspense until M-Pesa's result says it left (then suspense → M-Pesa's clearing
 * account); a refused or failed reversal reopens the exception. Audited; nothing is deleted.
 */
export async function returnUnmatchedPayment(
  options: { db: Db; client: MpesaCollectionsClient; paymentId: string } & StaffAction,
): Promise<MpesaPayment> {
  const { db } = options;
  const payment = await db.$transaction(async (tx) => {
    const locked = await lockMpesaPayment(tx, { id: options.paymentId });
    if (!locked?.exception) throw notFound(options.paymentId);
    if (locked.exception !== "open") throw notOpen(locked);
    if (!locked.receipt || locked.amount === null || !locked.suspenseTransactionId) {
      throw new DomainError("INVALID_STATE", `payment ${locked.id} has no M-Pesa receipt and amount in suspense to reverse`, { details: { paymentId: locked.id } });
    }
    await recordAudit(tx, {
      actor: options.actor,
      action: "mpesa.unmatched.return_requested",
      target: `mpesa_payment:${locked.id}`,
      ip: options.ip,
      metadata: { amount: locked.amount, currency: locked.currency, receipt: locked.receipt, phoneNumber: locked.phoneNumber, note: options.note ?? null },
    });
    return tx.mpesaPayment.update({
      where: { id: locked.id },
      data: { exception: "returning", resolvedBy: options.actor },
    });
  }, depositTransactionOptions);
  const outcome = await options.client.reverse({
    paymentId: payment.id,
    receipt: payment.receipt!,
    amount: payment.amount!,
    currency: payment.currency,
    remarks: "Return of unmatched payment",
  });
  if (outcome.kind === "accepted") {
    return db.mpesaPayment.update({ where: { id: payment.id }, data: { reversalConversationId: outcome.originatorConversationId || null } });
  }
  await reopen(db, payment.id, options.actor, `M-Pesa refused the reversal: ${outcome.message} (${outcome.code})`);
  throw new DomainError("SERVICE_UNAVAILABLE", `M-Pesa did not accept the reversal: ${outcome.message}`, {
    details: { paymentId: payment.id, code: outcome.code },
  });
}

async function reopen(db: Db, paymentId: string, actor: string, reason: string) {
  await db.$transaction(async (tx) => {
    const locked = await lockMpesaPayment(tx, { id: paymentId });
    if (locked?.exception !== "returning") return;
    await tx.mpesaPayment.update({ where: { id: paymentId }, data: { exception: "open", exceptionReason: `${locked.exceptionReason ?? ""}; ${reason}`.replace(/^; /, "") } });
    await recordAudit(tx, { actor, action: "mpesa.unmatched.return_failed", target: `mpesa_payment:${paymentId}`, metadata: { reason } });
  }, depositTransactionOptions);
}

/**
 * Daraja's Transaction Reversal result. Success (or "already reversed") takes the money out of
 * suspense, keyed by the payment so a repeated result posts once; a failure reopens it.
 */
export async function handleReversalResult(options: { db: Db; paymentId: string; body: unknown; timedOut?: boolean }) {
  const { db } = options;
  if (options.timedOut) {
    await reopen(db, options.paymentId, "system:mpesa", "the reversal timed out in M-Pesa's queue");
    return { outcome: "reopened" as const };
  }
  const result = parseReversalResult(options.body);
  if (result.resultCode !== "0" && result.resultCode !== "R000001") {
    await reopen(db, options.paymentId, "system:mpesa", `M-Pesa could not reverse it: ${result.resultDesc} (${result.resultCode})`);
    return { outcome: "reopened" as const };
  }
  return db.$transaction(async (tx) => {
    const payment = await lockMpesaPayment(tx, { id: options.paymentId });
    if (!payment) return { outcome: "unknown" as const };
    await appendMpesaCallback(tx, payment.id, "reversal-result", options.body);
    if (payment.exception !== "returning" || payment.amount === null) return { outcome: "ignored" as const };
    const currency = payment.currency as CurrencyCode;
    const posted = await postLedgerTransaction(tx, {
      idempotencyKey: `mpesa-return:${payment.id}`,
      kind: "deposit_reversal",
      metadata: { mpesaPaymentId: payment.id, receipt: payment.receipt, reversal: result.transactionId },
      postings: [
        { account: suspenseAccount("mpesa", currency), amount: -payment.amount, currency },
        { account: externalAccount("mpesa", currency), amount: payment.amount, currency },
      ],
    });
    await tx.mpesaPayment.update({ where: { id: payment.id }, data: { exception: "returned", resolvedAt: new Date() } });
    await recordAudit(tx, {
      actor: "system:mpesa",
      action: "mpesa.unmatched.returned",
      target: `mpesa_payment:${payment.id}`,
      metadata: { amount: payment.amount, currency, receipt: payment.receipt, reversalTransactionId: result.transactionId, ledgerTransactionId: posted.id.toString() },
    });
    return { outcome: "returned" as const };
  }, depositTransactionOptions);
}
