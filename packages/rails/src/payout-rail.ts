/**
 * The one interface the payout worker talks to. Every rail gives the provider the request's
 * `providerKey` as its idempotency key, so sending the same request again can never pay twice.
 */
export type PayoutDestination =
  | { type: "mpesa"; account: string }
  | { type: "stripe"; account: string }
  | { type: "bank"; account: string; bankCode?: string; accountName?: string; bankName?: string };

export type PayoutRequest = {
  /** Our payout id. */
  payoutId: string;
  /**
   * The provider's idempotency key for this request (`providerKeyOf`): the payout id, or
   * `<payoutId>-a<n>` for a payout sent again after a final failure, whose earlier request the
   * provider has closed (it would refuse the same key with another destination, or answer with
   * the old failure). Every re-send of one request keeps its key.
   */
  providerKey: string;
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
   * Asks the provider what became of the request with this key (`PayoutRequest.providerKey`).
   * Ask before re-sending after a crash between "provider accepted" and "recorded"; for M-Pesa
   * the answer itself comes back as a callback.
   */
  queryStatus(providerKey: string): Promise<PayoutStatus>;
}

const attemptKeySuffix = /-a(\d+)$/;

/** The provider key of a payout's first request and of a request sent again after a final failure (attempt n). */
export function providerKeyOf(payoutId: string, attempt?: number): string {
  return attempt === undefined ? payoutId : `${payoutId}-a${attempt}`;
}

/**
 * The payout and attempt a provider key names: callbacks and status answers carry only the key.
 * Payout ids (`po_` and hex) never end in `-a<digits>`.
 */
export function parseProviderKey(providerKey: string): { payoutId: string; attempt: number | null } {
  const match = attemptKeySuffix.exec(providerKey);
  return match ? { payoutId: providerKey.slice(0, match.index), attempt: Number(match[1]) } : { payoutId: providerKey, attempt: null };
}
