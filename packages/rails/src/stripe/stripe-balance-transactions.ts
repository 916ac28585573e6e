import type Stripe from "stripe";

/** One Stripe balance transaction, reduced to what reconciliation reads. */
export type StripeBalanceLine = {
  id: string;
  type: string;
  /** Minor units, signed: charges in positive, transfers and refunds out negative. */
  amount: bigint;
  fee: bigint;
  currency: string;
  created: Date;
  /** The PaymentIntent of a charge, else the source's own id (tr_…, re_…, po_…). */
  reference: string | null;
  /** A payout's id: the line that moved many charges' money out at once. */
  payout: string | null;
  description: string;
};

/**
 * Every balance transaction created in [from, to], through the SDK's auto-pagination; sources
 * expanded so a charge names its PaymentIntent (our deposits know the PaymentIntent).
 */
export async function listStripeBalanceTransactions(stripe: Stripe, period: { from: Date; to: Date }): Promise<StripeBalanceLine[]> {
  const lines: StripeBalanceLine[] = [];
  const list = stripe.balanceTransactions.list({
    created: { gte: Math.floor(period.from.getTime() / 1000), lte: Math.floor(period.to.getTime() / 1000) },
    limit: 100,
    expand: ["data.source"],
  });
  await list.autoPagingEach((transaction) => {
    const source = transaction.source;
    const sourceObject = source && typeof source === "object" ? (source as unknown as Record<string, unknown>) : null;
    const sourceId = typeof source === "string" ? source : typeof sourceObject?.id === "string" ? sourceObject.id : null;
    const paymentIntent = typeof sourceObject?.payment_intent === "string" ? sourceObject.payment_intent : null;
    lines.push({
      id: transaction.id,
      type: transaction.type,
      amount: BigInt(transaction.amount),
      fee: BigInt(transaction.fee),
      currency: transaction.currency.toUpperCase(),
      created: new Date(transaction.created * 1000),
      reference: paymentIntent ?? sourceId,
      payout: transaction.type === "payout" ? sourceId : null,
      description: transaction.description ?? "",
    });
  });
  return lines;
}
