/**
 * The one interface the payout worker talks to. Every rail uses the payout id as the provider's
 * idempotency key, so sending the same payout again can never pay it twice.
 */
export type PayoutDestination =
  | { type: "mpesa"; account: string }
  | { type: "stripe"; account: string }
  | { type: "bank"; account: string; bankCode?: string; accountName?: string; bankName?: string };

export type PayoutRequest = {
  /** Our payout id: the provider's idempotency key. */
  payoutId: string;
  amount: bigint;
  currency: string;
  destination: PayoutDestination;
  /** Free text the provider shows the recipient, where it supports one. */
  remarks?: string;
};

/**
 * What a rail says about a payout:
 * - `paid`: the provider moved the money; settle.
 * - `failed-final`: it did not and never will for this payout; release the hold.
 * - `retryable`: nothing was paid yet; try again later with the same payout id.
 * - `pending-callback`: accepted, the outcome arrives later (a callback, a webhook, an operator).
 * - `not-found` (status queries only): the provider has no record, so sending is safe.
 */
export type PayoutOutcome =
  | { kind: "paid"; providerReference: string; details?: Record<string, unknown> }
  | { kind: "failed-final"; code: string; message: string; providerReference?: string }
  | { kind: "retryable"; code: string; message: string }
  | { kind: "pending-callback"; providerReference?: string };

export type PayoutStatus = PayoutOutcome | { kind: "not-found" };

export type PayoutRailName = PayoutDestination["type"];

export interface PayoutRail {
  readonly name: PayoutRailName;
  send(payout: PayoutRequest): Promise<PayoutOutcome>;
  /**
   * Asks the provider what became of a payout. Ask before re-sending after a crash between
   * "provider accepted" and "recorded"; for M-Pesa the answer itself comes back as a callback.
   */
  queryStatus(payoutId: string): Promise<PayoutStatus>;
}
