export const exceptionKinds = ["unmatched_line", "unmatched_movement", "amount_mismatch", "currency_mismatch", "duplicate_line", "outside_window"] as const;
export type ExceptionKind = (typeof exceptionKinds)[number];

export const exceptionKindLabels: Record<ExceptionKind, string> = {
  unmatched_line: "Line with no ledger movement",
  unmatched_movement: "Movement with no line",
  amount_mismatch: "Amount mismatch",
  currency_mismatch: "Currency mismatch",
  duplicate_line: "Duplicate line",
  outside_window: "Outside the date window",
};

export const exceptionHref = (id: string) => `/reconciliation/exceptions/${encodeURIComponent(id)}`;
