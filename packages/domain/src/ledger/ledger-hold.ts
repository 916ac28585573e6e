import type { CurrencyCode } from "@agrinet/core";

export type LedgerHoldStatus = "pending" | "committed" | "voided" | "expired";

export type LedgerHold = {
  id: bigint;
  accountId: bigint;
  account: string;
  amount: bigint;
  currency: CurrencyCode;
  status: LedgerHoldStatus;
  expiresAt: Date | null;
  createdAt: Date;
  /** True when the idempotency key had already created this hold. */
  replayed: boolean;
};

