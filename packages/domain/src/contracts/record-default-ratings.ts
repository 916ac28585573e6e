import type { Db } from "@agrinet/db";
import { readDueDefaultRatings } from "@agrinet/stores/contracts";
import { defaultRatingValue, systemRater } from "./contract-types";
import { lockContract } from "./load-contract";
import { recordRating } from "./submit-rating";

/**
 * For every contract whose rating window has ended, records the system default (+2) for each
 * party that has not rated; the consumer's default releases the escrow like a real +2 would.
 * Contracts never funded are left alone: there is no trade to rate. Run by the worker's cron.
 */
export async function recordDefaultRatings(options: { db: Db; now?: Date; limit?: number }) {
  const { db } = options;
  const now = options.now ?? new Date();
  const due = await readDueDefaultRatings(db, { now, limit: options.limit ?? 500 });
  let recorded = 0;
  for (const item of due) {
    const done = await db.$transaction(async (tx) => {
      const contract = await lockContract(tx, item.contractId);
      const already = await tx.rating.count({ where: { contractId: item.contractId, raterRole: item.role } });
      // A consumer default only settles a funded escrow; a disputed or settled contract keeps
      // the consumer's real rating.
      if (already || (item.role === "consumer" && contract.status !== "funded")) return false;
      await recordRating(tx, contract, {
        raterRole: item.role,
        raterId: systemRater,
        value: defaultRatingValue,
        narrative: null,
        isDefault: true,
      });
      return true;
    });
    if (done) recorded += 1;
  }
  return { recorded };
}
