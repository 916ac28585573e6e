import type { Db, Deposit, Tx, TxClient } from "@agrinet/db";
import { recordDepositFailure } from "@agrinet/stores/deposit-credits";
import { readDeposit } from "@agrinet/stores/deposits";
import { depositNotFound, depositStateConflict } from "./confirm-deposit";
import { emitDepositEvent } from "./deposit-events";
import { depositTransactionOptions } from "./deposit-transaction";

export type FailDepositInTxOptions = {
  depositId: string;
  reason: string;
  failureCode?: string | undefined;
  stripePaymentIntentId?: string | null | undefined;
  /** Stripe reported the failure: idempotent, and a deposit Stripe already confirmed stays so. */
  settledByStripe?: boolean;
};

export type FailedDeposit = { deposit: Deposit; changed: boolean };

/** pending → failed, no ledger effect; the same conditional update as confirming (in a Prisma or a pg transaction). */
export async function failDepositInTx(tx: TxClient, options: FailDepositInTxOptions): Promise<FailedDeposit> {
  const changed = await recordDepositFailure(tx, {
    id: options.depositId,
    reason: options.reason,
    failureCode: options.failureCode ?? null,
    stripePaymentIntentId: options.stripePaymentIntentId ?? undefined,
  });
  if (!changed) {
    const current = await readDeposit(tx, options.depositId);
    if (!current) throw depositNotFound(options.depositId);
    if (options.settledByStripe) return { deposit: current, changed: false };
    throw depositStateConflict(current, "failed");
  }
  await emitDepositEvent(tx, "deposit.failed", changed, {
    failureCode: changed.failureCode,
    failureReason: changed.failureReason,
  });
  return { deposit: changed, changed: true };
}

export type FailDepositOptions = {
  db: Db;
  depositId: string;
  reason: string;
  /** Runs inside the failing transaction (the audit record). */
  onFailed?: (tx: Tx, deposit: Deposit) => Promise<void>;
};

export async function failDeposit(options: FailDepositOptions): Promise<Deposit> {
  return options.db.$transaction(async (tx) => {
    const { deposit } = await failDepositInTx(tx, {
      depositId: options.depositId,
      reason: options.reason,
      failureCode: "manual",
    });
    await options.onFailed?.(tx, deposit);
    return deposit;
  }, depositTransactionOptions);
}
