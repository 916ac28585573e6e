import type { CurrencyCode } from "@agrinet/core";
import { recordEscrowFunding } from "../contracts/contract-funds";
import { DomainError, validationError, type FieldIssue } from "@agrinet/core";
import type { Db, Deposit, Tx, TxClient } from "@agrinet/db";
import { postLedgerTransactionsBatch, type PostedLedgerTransaction } from "../ledger";
import { outboxEventRow } from "../events/emit-domain-event";
import { lockDepositsForCredit, recordDepositConfirmations } from "@agrinet/stores/deposit-credits";
import { depositCreditInput } from "./deposit-ledger";
import { depositEvent } from "./deposit-events";
import { receiptUrl } from "./receipts";
import { depositTransactionOptions } from "./deposit-transaction";

export type ConfirmDepositInTxOptions = {
  depositId: string;
  confirmedBy: string;
  evidenceUrl?: string | undefined;
  receiptSha256?: string | undefined;
  stripePaymentIntentId?: string | null | undefined;
  /**
   * Stripe's word that the money arrived (the synchronous charge or a webhook). Idempotent: an
   * already confirmed deposit is returned unchanged. It also overrides an earlier failure, since
   * a PaymentIntent whose first attempt failed can still succeed later.
   */
  settledByStripe?: boolean;
  /**
   * The ledger account the credit comes from when it is not the method's clearing account: an
   * unmatched M-Pesa payment assigned from suspense was already taken in from M-Pesa.
   */
  creditSource?: string | undefined;
};

export type ConfirmedDeposit = {
  deposit: Deposit;
  /** The ledger credit; null when this call found the deposit already confirmed. */
  ledgerTransaction: PostedLedgerTransaction | null;
};

export function depositNotFound(depositId: string): DomainError {
  return new DomainError("NOT_FOUND", `no deposit ${depositId}`, {
    fields: [{ path: "depositId", message: "no such deposit" }],
  });
}

export function depositStateConflict(deposit: Deposit, attempted: string): DomainError {
  return new DomainError(
    "INVALID_STATE",
    `deposit ${deposit.id} is already ${deposit.status}; it cannot be ${attempted}`,
    { details: { depositId: deposit.id, status: deposit.status } },
  );
}

export type ConfirmDepositResult = { ok: true; confirmed: ConfirmedDeposit } | { ok: false; error: DomainError };

/**
 * pending → confirmed plus the ledger credit, inside the caller's transaction (a Prisma one, or a
 * pg one on the hot path of M-Pesa's callbacks: every statement goes through the stores, which
 * send it to either): the one deposit credit, for one deposit (`confirmDepositInTx`) or many
 * (M-Pesa callbacks gathered by group commit). The deposits are locked first (`select … for update`): racing confirmations of one
 * deposit wait on its row and then see it as the winner left it, so exactly one of them finds it
 * pending and posts the credit; the others get INVALID_STATE.
 *
 * Many deposits cost what one does: one statement locks and reads them, one ledger batch posts
 * the credits (the hot clearing account's row locked and its balance written once), one statement
 * writes every row once (status, evidence and ledger ids together), one inserts the events. A
 * deposit the batch names twice is confirmed by its first item only. An item that cannot be
 * confirmed (not pending) is that item's answer; a failure of the ledger or of a contract's
 * escrow throws, rolling the caller's transaction back as for a single deposit.
 */
export async function confirmDepositsInTx(
  tx: TxClient,
  items: ConfirmDepositInTxOptions[],
  /** Deposits the caller has locked in this transaction, read once locked; the others are locked here. */
  locked?: ReadonlyMap<string, Deposit>,
): Promise<ConfirmDepositResult[]> {
  const toLock = [...new Set(items.map((options) => options.depositId))].filter((id) => !locked?.has(id));
  const current = toLock.length > 0 ? await lockDepositsForCredit(tx, toLock) : new Map<string, Deposit>();
  for (const [id, deposit] of locked ?? []) current.set(id, deposit);
  const results: Array<ConfirmDepositResult | undefined> = new Array(items.length);
  const credited: Array<{ index: number; deposit: Deposit; options: ConfirmDepositInTxOptions }> = [];
  const taken = new Set<string>();
  items.forEach((options, index) => {
    const deposit = current.get(options.depositId);
    const confirmable = deposit && (deposit.status === "pending" || (options.settledByStripe && deposit.status === "failed"));
    if (deposit && confirmable && !taken.has(deposit.id)) {
      taken.add(deposit.id);
      credited.push({ index, deposit, options });
    } else if (!deposit) {
      results[index] = { ok: false, error: depositNotFound(options.depositId) };
    } else if (options.settledByStripe && (deposit.status === "confirmed" || taken.has(deposit.id))) {
      results[index] = { ok: true, confirmed: { deposit, ledgerTransaction: null } };
    } else {
      results[index] = { ok: false, error: depositStateConflict(taken.has(deposit.id) ? { ...deposit, status: "confirmed" } : deposit, "confirmed") };
    }
  });
  if (credited.length === 0) return results.map((result) => result!);

  const credits = [];
  for (const { deposit, options } of credited) {
    // The contract's rules decide where its deposit lands (and lock it): rare, one at a time.
    const destination = deposit.contractId
      ? (
          await recordEscrowFunding(tx, {
            contractId: deposit.contractId,
            currency: deposit.currency as CurrencyCode,
            amount: deposit.amount,
            depositId: deposit.id,
          })
        ).account
      : undefined;
    credits.push(depositCreditInput(deposit, destination, options.creditSource));
  }
  const posted = await postLedgerTransactionsBatch(tx, credits);
  const failed = posted.find((result) => !result.ok);
  if (failed && !failed.ok) throw failed.error;
  const transactions = posted.map((result) => (result as { ok: true; transaction: PostedLedgerTransaction }).transaction);

  const confirmations = credited.map(({ deposit, options }, position) => ({
    id: deposit.id,
    confirmedBy: options.confirmedBy,
    evidenceUrl: options.evidenceUrl,
    receiptSha256: options.receiptSha256,
    receiptUrl: options.receiptSha256 ? receiptUrl(options.receiptSha256) : undefined,
    stripePaymentIntentId: options.stripePaymentIntentId ?? undefined,
    transactionId: transactions[position]!.id.toString(),
    entryIds: transactions[position]!.postings.map((posting) => posting.id.toString()),
  }));
  // The events say what the statement writes: known before it runs, so they go in the same one.
  const events = credited.map(({ deposit, options }, position) =>
    outboxEventRow(
      depositEvent("deposit.confirmed", { ...deposit, status: "confirmed" }, { confirmedBy: options.confirmedBy, ledgerTransactionId: transactions[position]!.id }),
    ),
  );
  const written = await recordDepositConfirmations(tx, confirmations, current, events);
  const deposits = credited.map(({ deposit }) => written.get(deposit.id)!);
  credited.forEach(({ index }, position) => {
    results[index] = { ok: true, confirmed: { deposit: deposits[position]!, ledgerTransaction: transactions[position]! } };
  });
  return results.map((result) => result!);
}

/** One deposit's confirmation: the batch of one, throwing its error. */
export async function confirmDepositInTx(tx: TxClient, options: ConfirmDepositInTxOptions): Promise<ConfirmedDeposit> {
  const [result] = await confirmDepositsInTx(tx, [options]);
  if (!result!.ok) throw result!.error;
  return result!.confirmed;
}

export type ConfirmDepositOptions = {
  db: Db;
  depositId: string;
  /** The session's principal when there is one, else what the request says. */
  confirmedBy: string | undefined;
  evidenceUrl?: string | undefined;
  receiptSha256?: string | undefined;
  /** Runs inside the confirming transaction (the audit record). */
  onConfirmed?: (tx: Tx, deposit: Deposit) => Promise<void>;
};

/**
 * An operator's (or an allowed partner's) confirmation: evidence is required — a URL or an
 * uploaded receipt — because the money arrived outside the platform.
 */
export async function confirmDeposit(options: ConfirmDepositOptions): Promise<ConfirmedDeposit> {
  const issues: FieldIssue[] = [];
  if (!options.confirmedBy) issues.push({ path: "confirmedBy", message: "required when there is no session" });
  if (!options.evidenceUrl && !options.receiptSha256) {
    issues.push({ path: "evidenceUrl", message: "evidence is required: an evidenceUrl or an uploaded receiptSha256" });
  }
  if (issues.length) throw validationError(issues);
  return options.db.$transaction(async (tx) => {
    if (options.receiptSha256) {
      const receipt = await tx.receipt.findUnique({ where: { sha256: options.receiptSha256 } });
      if (!receipt) throw validationError([{ path: "receiptSha256", message: "no uploaded receipt has this hash" }]);
    }
    const result = await confirmDepositInTx(tx, {
      depositId: options.depositId,
      confirmedBy: options.confirmedBy!,
      evidenceUrl: options.evidenceUrl,
      receiptSha256: options.receiptSha256,
    });
    await options.onConfirmed?.(tx, result.deposit);
    return result;
  }, depositTransactionOptions);
}
