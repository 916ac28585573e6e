import type { CurrencyCode } from "@agrinet/core";
import type { Deposit, Tx } from "@agrinet/db";
import {
  contractEscrowAccount,
  externalAccount,
  postLedgerTransaction,
  userWalletAccount,
  type PostedLedgerTransaction,
  type PostLedgerTransactionInput,
} from "../ledger";

/** Where a deposit's money lands: the contract's escrow when it names one, else the wallet. */
export function depositDestinationAccount(deposit: Pick<Deposit, "userId" | "contractId" | "currency">): string {
  const currency = deposit.currency as CurrencyCode;
  return deposit.contractId
    ? contractEscrowAccount(deposit.contractId, currency)
    : userWalletAccount(deposit.userId, currency);
}

/**
 * The credit for a confirmed deposit: the method's external clearing account → wallet or
 * escrow. Keyed `deposit:<id>`, so even a second posting for the same deposit posts nothing.
 */
export function depositCreditInput(
  deposit: Deposit,
  /** Where the contract's rules send it (see recordEscrowFunding); default: wallet or escrow. */
  destination = depositDestinationAccount(deposit),
  /** Where the money is now: the method's clearing account, or suspense for an assigned unmatched payment. */
  source = externalAccount(deposit.method, deposit.currency as CurrencyCode),
): PostLedgerTransactionInput {
  const currency = deposit.currency as CurrencyCode;
  return {
    idempotencyKey: `deposit:${deposit.id}`,
    kind: "deposit",
    metadata: {
      depositId: deposit.id,
      userId: deposit.userId,
      reference: deposit.reference,
      ...(deposit.contractId ? { contractId: deposit.contractId } : {}),
    },
    postings: [
      { account: source, amount: -deposit.amount, currency },
      { account: destination, amount: deposit.amount, currency },
    ],
  };
}

/**
 * Money a card refund took back out: wallet or escrow → external stripe. `refundedTotal` is
 * Stripe's cumulative amount_refunded, so each partial refund has its own key.
 */
export function postDepositRefund(
  tx: Tx,
  deposit: Deposit,
  amount: bigint,
  refundedTotal: bigint,
): Promise<PostedLedgerTransaction> {
  const currency = deposit.currency as CurrencyCode;
  return postLedgerTransaction(tx, {
    idempotencyKey: `deposit-refund:${deposit.id}:${refundedTotal}`,
    kind: "refund",
    metadata: {
      depositId: deposit.id,
      userId: deposit.userId,
      ...(deposit.contractId ? { contractId: deposit.contractId } : {}),
    },
    postings: [
      { account: depositDestinationAccount(deposit), amount: -amount, currency },
      { account: externalAccount(deposit.method, currency), amount, currency },
    ],
  });
}
