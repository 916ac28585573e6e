import type Stripe from "stripe";

/** A payout of the platform's Stripe balance to its bank, as Stripe says it is now. */
export type StripePlatformPayout = {
  id: string;
  /** pending, in_transit, paid, failed, canceled */
  status: string;
  /** Minor units, positive. */
  amount: bigint;
  /** Upper case, as the ledger spells it. */
  currency: string;
  arrivalDate: Date;
  failureCode: string | null;
};

/** Asks Stripe for a payout (a webhook only says that something happened to it). */
export async function retrieveStripePayout(stripe: Stripe, payoutId: string): Promise<StripePlatformPayout> {
  const payout = await stripe.payouts.retrieve(payoutId);
  return {
    id: payout.id,
    status: payout.status,
    amount: BigInt(payout.amount),
    currency: payout.currency.toUpperCase(),
    arrivalDate: new Date(payout.arrival_date * 1000),
    failureCode: payout.failure_code ?? null,
  };
}
