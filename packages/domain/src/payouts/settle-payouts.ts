import { currencyExponent, supportedCurrencies } from "@agrinet/core";
import type { Db } from "@agrinet/db";
import { callPayoutsSettle, type PayoutsSettleItem } from "@agrinet/stores/payouts";
import { toLedgerDomainError } from "../ledger";
import type { PayoutStatus } from "./payout-view";

/**
 * A payout the provider paid. `confirmed` is set by M-Pesa's status callback, which settles
 * without reading the payout first: the whole units M-Pesa reported and the error to record when
 * they are not the payout's amount. A final payout is then left as it is (the callback may be a
 * replay), not flagged for reconciliation.
 */
export type PaidPayout = PayoutsSettleItem;
export type SettleResult = {
  status: PayoutStatus;
  changed: boolean;
  /** Only for a `confirmed` item: why it was not settled. */
  refused?: "unknown-payout" | "already-final" | "amount-mismatch";
};

/** payouts_settle compares confirmed whole units with minor units: 10^exponent per currency. */
const currencyFactors = {
  currencies: [...supportedCurrencies],
  factors: supportedCurrencies.map((code) => 10n ** BigInt(currencyExponent(code))),
};

/**
 * The one settlement of paid payouts, whatever the rail and whoever learned the outcome (M-Pesa's
 * callbacks and status queries, a worker's answer from Stripe, a Stripe event, an operator's
 * bank mark): one statement (the SQL function payouts_settle, prisma/sql/payouts_settle.sql) for
 * one payout or many. Per payout: its row locked and re-read; paid: nothing; failed or
 * cancelled: flagged for reconciliation; otherwise its hold committed into the rail's clearing
 * account (payoutClearingAccount) under payoutSettleKey, the row marked paid with its ledger
 * snapshot and a payout.paid event. The shared clearing account's balance row is updated once
 * per batch. The API and the worker reach it through their PayoutRuntime, which gathers
 * concurrent callers into one batch.
 */
export async function settlePayouts(db: Db, items: PaidPayout[]): Promise<Map<string, SettleResult>> {
  // A duplicate callback may bring the same payout twice into one batch: the first settles it.
  const unique = new Map<string, PaidPayout>();
  for (const item of items) if (!unique.has(item.payoutId)) unique.set(item.payoutId, item);
  const batch = [...unique.values()];
  let rows;
  try {
    rows = await callPayoutsSettle(db.$pool, batch, currencyFactors);
  } catch (error) {
    throw toLedgerDomainError(error);
  }
  const results = new Map<string, SettleResult>();
  for (const { payoutId, status, changed, refused } of rows) {
    results.set(payoutId, refused ? { status: status as PayoutStatus, changed, refused } : { status: status as PayoutStatus, changed });
  }
  for (const item of batch) {
    if (results.has(item.payoutId)) continue;
    results.set(item.payoutId, item.confirmed ? { status: "failed", changed: false, refused: "unknown-payout" } : { status: "failed", changed: false });
  }
  return results;
}
