export const exceptionKinds = ["unmatched_line", "unmatched_movement", "amount_mismatch", "currency_mismatch", "duplicate_line", "outside_window", "unmatched_payment"] as const;
export type ExceptionKind = (typeof exceptionKinds)[number];

export const exceptionKindLabels: Record<ExceptionKind, string> = {
  unmatched_line: "Line with no ledger movement",
  unmatched_movement: "Movement with no line",
  amount_mismatch: "Amount mismatch",
  currency_mismatch: "Currency mismatch",
  duplicate_line: "Duplicate line",
  outside_window: "Outside the date window",
  unmatched_payment: "Payment in suspense (collections)",
};

/** Where an unmatched payment is assigned or returned: collections' queue. */
export const unmatchedPaymentsHref = "/mpesa/unmatched";

export const exceptionHref = (id: string) => `/reconciliation/exceptions/${encodeURIComponent(id)}`;
