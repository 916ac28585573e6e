import type { CurrencyCode } from "@agrinet/core";
import { recordEscrowFunding } from "../contracts/contract-funds";
import { DomainError, validationError, type FieldIssue } from "@agrinet/core";
import type { Db, Deposit, Tx } from "@agrinet/db";
import type { PostedLedgerTransaction } from "../ledger";
import { postDepositCredit } from "./deposit-ledger";
import { emitDepositEvent } from "./deposit-events";
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

/** Gets the deposit a caller asked about, or NOT_FOUND naming it. */
export async function findDepositOrThrow(tx: Tx | Db, depositId: string): Promise<Deposit> {
  const deposit = await tx.deposit.findUnique({ where: { id: depositId } });
  if (!deposit) {
    throw new DomainError("NOT_FOUND", `no deposit ${depositId}`, {
      fields: [{ path: "depositId", message: "no such deposit" }],
    });
  }
  return deposit;
}

export function depositStateConflict(deposit: Deposit, attempted: string): DomainError {
  return new DomainError(
    "INVALID_STATE",
    `deposit ${deposit.id} is already ${deposit.status}; it cannot be ${attempted}`,
    { details: { depositId: deposit.id, status: deposit.status } },
  );
}

/**
 * pending → confirmed plus the ledger credit, inside the caller's transaction. The state change
 * is a conditional update (`where status = 'pending'`): PostgreSQL makes racing confirmations
 * of one deposit wait on the row and then re-check the condition, so exactly one of them
 * changes it and posts the credit; the others see 0 rows and get INVALID_STATE.
 */
export async function confirmDepositInTx(tx: Tx, options: ConfirmDepositInTxOptions): Promise<ConfirmedDeposit> {
  const from: Deposit["status"][] = options.settledByStripe ? ["pending", "failed"] : ["pending"];
  const [changed] = await tx.deposit.updateManyAndReturn({
    where: { id: options.depositId, status: { in: from } },
    data: {
      status: "confirmed",
      confirmedAt: new Date(),
      confirmedBy: options.confirmedBy,
      evidenceUrl: options.evidenceUrl,
      receiptSha256: options.receiptSha256,
      receiptUrl: options.receiptSha256 ? receiptUrl(options.receiptSha256) : undefined,
      stripePaymentIntentId: options.stripePaymentIntentId ?? undefined,
    },
  });
  if (!changed) {
    const current = await findDepositOrThrow(tx, options.depositId);
    if (options.settledByStripe && current.status === "confirmed") {
      return { deposit: current, ledgerTransaction: null };
    }
    throw depositStateConflict(current, "confirmed");
  }
  const destination = changed.contractId
    ? (
        await recordEscrowFunding(tx, {
          contractId: changed.contractId,
          currency: changed.currency as CurrencyCode,
          amount: changed.amount,
          depositId: changed.id,
        })
      ).account
    : undefined;
  const posted = await postDepositCredit(tx, changed, destination, options.creditSource);
  const deposit = await tx.deposit.update({
    where: { id: changed.id },
    data: {
      ledgerTransactionId: posted.id.toString(),
      ledgerEntryIds: posted.postings.map((p) => p.id.toString()),
    },
  });
  await emitDepositEvent(tx, "deposit.confirmed", deposit, {
    confirmedBy: deposit.confirmedBy,
    ledgerTransactionId: deposit.ledgerTransactionId,
  });
  return { deposit, ledgerTransaction: posted };
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
