import type { CurrencyCode } from "@agrinet/core";

export const lbtasScale = [-1, 0, 1, 2, 3, 4] as const;
export type LbtasValue = (typeof lbtasScale)[number];

export const lbtasLabels: Record<LbtasValue, string> = {
  4: "Delight",
  3: "No Negative Consequences",
  2: "Basic Satisfaction",
  1: "Basic Promise",
  0: "Cynical Satisfaction",
  [-1]: "No Trust",
};

/** A party that misses the rating window is recorded at +2, attributed to the system. */
export const defaultRatingValue = 2;
export const systemRater = "system";
export const maxNarrativeWords = 500;
export const defaultRatingWindowDays = 14;

export type RaterRole = "consumer" | "producer";

export type ContractView = {
  id: string;
  /** The partner that registered it. */
  partnerId: string;
  consumerId: string;
  producerId: string;
  currency: CurrencyCode;
  expectedAmount: bigint;
  status: "open" | "funded" | "released" | "disputed" | "refunded";
  escrowBalance: bigint;
  settledAmount: bigint;
  ratingWindowEndsAt: Date;
  metadata: Record<string, unknown>;
  createdAt: Date;
  settledAt: Date | null;
};
