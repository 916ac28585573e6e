import type { Queryable } from "@agrinet/db";
import { markAwaitingResults, startPayouts, type AwaitingPayout, type StartedPayout } from "@agrinet/stores/payouts";
import { maxStatusChecks } from "./payout-jobs";

export { startPayouts, type AwaitingPayout, type StartedPayout };

/** What a payout records when its last status check went unanswered. */
const noResultError = `no result from the provider after ${maxStatusChecks} status checks: check it with the provider, then mark it`;

/**
 * "Accepted, the result comes later": the one way a payout starts waiting for the provider's
 * result, for one payout or many in one statement (markAwaitingResults says what it does). True
 * for the payouts whose status check is now planned: bank payouts wait for an operator, and after
 * maxStatusChecks the checks stop and the payout says why.
 */
export function awaitPayoutResults(db: Queryable, items: AwaitingPayout[]): Promise<Set<string>> {
  return markAwaitingResults(db, items, { maxStatusChecks, noResultError });
}
