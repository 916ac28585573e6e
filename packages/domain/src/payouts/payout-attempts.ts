import { DomainError } from "@agrinet/core";
import type { Db } from "@agrinet/db";
import { providerKeyOf } from "@agrinet/rails";
import type { PayoutDestination } from "./payout-destination";

export const payoutAttemptOutcomes = ["paid", "failed", "cancelled", "retried"] as const;
export type PayoutAttemptOutcome = (typeof payoutAttemptOutcomes)[number];

/** One attempt at paying a payout, as the trigger `payouts_record_attempt` recorded it. */
export type PayoutAttemptView = {
  attempt: number;
  destination: PayoutDestination;
  /** null: in flight, or waiting for the provider's result. */
  outcome: PayoutAttemptOutcome | null;
  /** The rail's answer as `CODE: message`. */
  error: string | null;
  /**
   * The provider idempotency key the attempt's request carried: the payout id until a final
   * failure, then `<id>-a<n>` from the attempt after it (retryPayout's rule), kept by the
   * attempts that re-send that request.
   */
  providerKey: string;
  providerRequestId: string | null;
  providerReference: string | null;
  startedAt: Date;
  finishedAt: Date | null;
};

/** Every attempt of one payout, first to last (a payout has a handful, never a page's worth). */
export async function listPayoutAttempts(options: { db: Db; payoutId: string }): Promise<PayoutAttemptView[]> {
  const [payout, attempts] = await Promise.all([
    options.db.payout.findUnique({ where: { id: options.payoutId }, select: { id: true } }),
    options.db.payoutAttempt.findMany({ where: { payoutId: options.payoutId }, orderBy: { attempt: "asc" } }),
  ]);
  if (!payout) {
    throw new DomainError("NOT_FOUND", `payout ${options.payoutId} does not exist`, {
      fields: [{ path: "payoutId", message: "no such payout" }],
    });
  }
  let providerKey = options.payoutId;
  let afterFailure = false;
  return attempts.map((row) => {
    if (afterFailure) providerKey = providerKeyOf(options.payoutId, row.attempt);
    afterFailure = row.outcome === "failed";
    return {
      attempt: row.attempt,
      destination: row.destination as PayoutDestination,
      outcome: row.outcome as PayoutAttemptOutcome | null,
      error: row.error,
      providerKey,
      providerRequestId: row.providerRequestId,
      providerReference: row.providerReference,
      startedAt: row.startedAt,
      finishedAt: row.finishedAt,
    };
  });
}
