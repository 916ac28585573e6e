import { DomainError } from "@agrinet/core";
import type { Db } from "@agrinet/db";
import { getPayout } from "./get-payout";
import { markPayoutFailed } from "./payout-transitions";
import { settlePayouts } from "./settle-payouts";
import type { PayoutView } from "./payout-view";

export type MarkBankPayoutOptions = {
  db: Db;
  payoutId: string;
  /** Who marked it, kept in the event trail. */
  markedBy: string;
} & ({ outcome: "paid"; receipt: string } | { outcome: "failed"; reason: string });

/** The operator's verdict on an exported bank payout: paid (with the bank's receipt) or failed. */
export async function markBankPayout(options: MarkBankPayoutOptions): Promise<PayoutView> {
  const payout = await getPayout({ db: options.db, payoutId: options.payoutId });
  if (payout.destinationType !== "bank") {
    throw new DomainError("INVALID_STATE", `payout ${payout.id} goes over ${payout.destinationType}; only bank payouts are marked by hand`);
  }
  if (payout.status === (options.outcome === "paid" ? "paid" : "failed")) return payout;
  if (payout.status !== "processing") {
    throw new DomainError("INVALID_STATE", `payout ${payout.id} is ${payout.status}; export it in a bank batch before marking it`, {
      details: { status: payout.status },
    });
  }
  if (options.outcome === "paid") {
    await settlePayouts(options.db, [{ payoutId: payout.id, providerReference: options.receipt }]);
  } else {
    await markPayoutFailed(options.db, { payoutId: payout.id, error: `marked failed by ${options.markedBy}: ${options.reason}` });
  }
  return getPayout({ db: options.db, payoutId: payout.id });
}
