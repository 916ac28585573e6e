import type { Db } from "@agrinet/db";
import { emitDomainEvent } from "../events/emit-domain-event";
import { payoutTransactionLimits } from "./payout-jobs";
import { isFinal, lockPayout } from "./payout-transitions";
import { settlePayouts } from "./settle-payouts";

/** The parts of a verified Stripe event (`verifyStripeWebhook`) a payout needs. */
export type StripePayoutEvent = {
  id: string;
  type: string;
  data: { object: { id: string; object: string; metadata?: Record<string, string> | null; reversed?: boolean } };
};

export type StripePayoutEventResult = { payoutId: string | null; action: "ignored" | "settled" | "already-final" | "reversal-recorded" };

/**
 * The webhook hook for `transfer.*` and `payout.*` events (the route verifies the signature
 * with PAYOUTS_WEBHOOK_SECRET and passes the event here). A transfer carries our payout id in
 * its metadata: `transfer.created` settles a payout the worker has not recorded yet (a crash
 * after Stripe accepted it); `transfer.reversed` after settlement is flagged for an operator,
 * never silently re-credited. `payout.*` events concern the connected account's own bank
 * payouts, which are the producer's business: they are only announced.
 */
export async function handleStripePayoutEvent(options: { db: Db; event: StripePayoutEvent }): Promise<StripePayoutEventResult> {
  const { db, event } = options;
  const object = event.data.object;
  if (event.type.startsWith("payout.")) {
    await db.$transaction(
      (tx) =>
        emitDomainEvent(tx, {
          type: `stripe.${event.type}`,
          aggregateType: "payout",
          aggregateId: object.id,
          userIds: [],
          payload: { stripeEventId: event.id, stripePayoutId: object.id },
        }),
      payoutTransactionLimits,
    );
    return { payoutId: null, action: "ignored" };
  }
  const payoutId = object.object === "transfer" ? object.metadata?.payoutId : undefined;
  if (!event.type.startsWith("transfer.") || !payoutId) return { payoutId: null, action: "ignored" };

  if (event.type === "transfer.reversed" || object.reversed) {
    return db.$transaction(async (tx) => {
      const payout = await lockPayout(tx, payoutId);
      if (!payout) return { payoutId: null, action: "ignored" as const };
      await tx.payout.update({
        where: { id: payoutId },
        data: { lastError: `Stripe transfer ${object.id} was reversed (${event.id}): reconcile` },
      });
      await emitDomainEvent(tx, {
        type: "payout.reconciliation_needed",
        aggregateType: "payout",
        aggregateId: payoutId,
        userIds: [payout.userId],
        payload: { payoutId, providerReference: object.id, stripeEventId: event.id, reason: "transfer reversed" },
      });
      return { payoutId, action: "reversal-recorded" as const };
    }, payoutTransactionLimits);
  }
  const payout = await db.payout.findUnique({ where: { id: payoutId } });
  if (!payout) return { payoutId: null, action: "ignored" };
  if (isFinal(payout.status)) return { payoutId, action: "already-final" };
  // Only a payout the worker has sent can have a transfer.
  if (payout.status !== "processing") return { payoutId, action: "ignored" };
  await settlePayouts(db, [{ payoutId, providerReference: object.id }]);
  return { payoutId, action: "settled" };
}
