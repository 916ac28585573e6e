import { DomainError, isSupportedCurrency, type CurrencyCode } from "@agrinet/core";
import type { Db } from "@agrinet/db";
import { retrieveStripePayout } from "@agrinet/rails";
import type Stripe from "stripe";
import { externalAccount, postLedgerTransaction, type PostLedgerTransactionInput } from "../ledger";

export type StripePlatformPayoutOutcome = "posted" | "already_posted" | "returned" | "already_returned" | "not_final" | "unsupported_currency";

/**
 * The platform's Stripe balance paid out to its bank (`payout.paid`, `payout.failed` for the
 * platform's own account): the money leaves Stripe's clearing account for the bank's, so the
 * Stripe payout line (the one balance transaction for many charges) and the bank line that
 * receives it each have a ledger movement to match, referenced by the `po_…` id.
 *
 * The event only says something happened: Stripe is asked for the payout, and its answer
 * decides. Both postings are keyed by the payout, so any number of deliveries, in any order,
 * post each once. A failed payout left Stripe's balance and came back (Stripe's `payout` and
 * `payout_failure` balance transactions), so it is the same transfer and then its return.
 */
export async function recordStripePlatformPayout(options: { db: Db; stripe: Stripe; payoutId: string }): Promise<StripePlatformPayoutOutcome> {
  const payout = await retrieveStripePayout(options.stripe, options.payoutId).catch((error: unknown) => {
    // Stripe delivers the event again on a non-2xx answer: the payout is recorded then.
    throw new DomainError("SERVICE_UNAVAILABLE", `Stripe did not answer about payout ${options.payoutId}: ${String(error)}`, {
      details: { payoutId: options.payoutId },
    });
  });
  if (payout.status !== "paid" && payout.status !== "failed") return "not_final";
  if (!isSupportedCurrency(payout.currency)) return "unsupported_currency";
  const currency = payout.currency as CurrencyCode;
  const move = (key: string, from: "stripe" | "bank", to: "stripe" | "bank"): PostLedgerTransactionInput => ({
    idempotencyKey: key,
    kind: "transfer",
    metadata: { providerReference: payout.id, stripePayoutId: payout.id },
    // Money reaching a provider is negative on its clearing account (as a deposit), leaving it positive.
    postings: [
      { account: externalAccount(from, currency), amount: payout.amount, currency },
      { account: externalAccount(to, currency), amount: -payout.amount, currency },
    ],
  });
  const paid = await postLedgerTransaction(options.db, move(`stripe-payout:${payout.id}`, "stripe", "bank"));
  if (payout.status === "paid") return paid.replayed ? "already_posted" : "posted";
  const returned = await postLedgerTransaction(options.db, move(`stripe-payout-failure:${payout.id}`, "bank", "stripe"));
  return returned.replayed ? "already_returned" : "returned";
}
