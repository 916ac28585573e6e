import { DomainError } from "@agrinet/core";
import type { Db } from "@agrinet/db";
import { toPayoutView, type PayoutView } from "./payout-view";

export async function getPayout(options: { db: Db; payoutId: string }): Promise<PayoutView> {
  const payout = await options.db.payout.findUnique({ where: { id: options.payoutId } });
  if (!payout) {
    throw new DomainError("NOT_FOUND", `payout ${options.payoutId} does not exist`, {
      fields: [{ path: "payoutId", message: "no such payout" }],
    });
  }
  return toPayoutView(payout);
}
