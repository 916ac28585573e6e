import type { CurrencyCode } from "@agrinet/core";
import type { Tx } from "@agrinet/db";
import {
  createHold,
  externalAccount,
  getAccountBalance,
  userWalletAccount,
  voidHold,
} from "../ledger";
import type { PayoutDestinationType } from "./payout-destination";

/**
 * The payouts' whole use of the ledger: reserve on queue, release on failure; settling on success
 * is payouts_settle's (settlePayouts), with the account and key named here.
 *
 * The source is the producer's wallet. A payout naming a contract is still paid from the wallet:
 * a contract's escrow reaches the producer's wallet when the contract releases it (the contracts
 * area), so `contractId` is carried as metadata on the hold and on the settlement. When the
 * contracts area defines "funds released from that contract" as a separate balance, this is the
 * one place that picks the account to hold.
 */
export function payoutSourceAccount(payout: { userId: string; currency: CurrencyCode; contractId?: string | null }) {
  return userWalletAccount(payout.userId, payout.currency);
}

/** Where settled payouts go: money that left the platform over that rail. */
export function payoutClearingAccount(rail: PayoutDestinationType, currency: CurrencyCode) {
  return externalAccount(rail, currency);
}

export type PayoutLedgerSnapshot = {
  ledgerTransactionId: string | null;
  takenAt: string;
  balances: Array<
    | { account: string; currency: string; posted: string; held: string; available: string }
    | { account: string; currency: string; amount: string; postedAfter: string }
  >;
};

async function snapshot(tx: Tx, accounts: string[], ledgerTransactionId: bigint | null): Promise<PayoutLedgerSnapshot> {
  const balances = await Promise.all(accounts.map((account) => getAccountBalance(tx, { account })));
  return {
    ledgerTransactionId: ledgerTransactionId?.toString() ?? null,
    takenAt: new Date().toISOString(),
    balances: balances.map((b) => ({
      account: b.account,
      currency: b.currency,
      posted: b.posted.toString(),
      held: b.held.toString(),
      available: b.available.toString(),
    })),
  };
}

/** Reserves the amount; INSUFFICIENT_FUNDS (with details.available) comes from the ledger. */
export async function reservePayoutFunds(
  tx: Tx,
  payout: { id: string; userId: string; amount: bigint; currency: CurrencyCode; contractId?: string | null },
  /** 0 for the first reservation; an operator's retry of a failed payout reserves again. */
  reservation = 0,
): Promise<{ holdId: string }> {
  const hold = await createHold(tx, {
    idempotencyKey: reservation === 0 ? `payout:${payout.id}:reserve` : `payout:${payout.id}:reserve:${reservation}`,
    account: payoutSourceAccount(payout),
    amount: payout.amount,
    currency: payout.currency,
    metadata: { payoutId: payout.id, ...(payout.contractId ? { contractId: payout.contractId } : {}) },
  });
  return { holdId: hold.id.toString() };
}

/**
 * The idempotency key of a payout's settlement. payouts_settle builds it in SQL (with
 * payoutClearingAccount's code and ledgerRequestHash's hash); settle-payouts.integration-test.ts
 * pins that the database and these functions agree for every rail.
 */
export function payoutSettleKey(payoutId: string, holdId: string): string {
  return `payout:${payoutId}:settle:${holdId}`;
}

/** Gives the reserved funds back to the wallet. */
export async function releasePayoutFunds(
  tx: Tx,
  payout: { userId: string; currency: CurrencyCode; holdId: string | null },
): Promise<PayoutLedgerSnapshot> {
  if (payout.holdId) await voidHold(tx, { holdId: BigInt(payout.holdId) });
  return snapshot(tx, [payoutSourceAccount(payout)], null);
}
