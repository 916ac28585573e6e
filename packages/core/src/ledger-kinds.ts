/**
 * What a ledger transaction records, in the order operators think of them. Shared by the domain
 * (which refuses other kinds) and the dashboard's filters, so the two lists cannot drift apart.
 */
export const ledgerTransactionKinds = [
  "deposit",
  "deposit_reversal",
  "payout_reserve",
  "payout_settle",
  "payout_release",
  "escrow_fund",
  "escrow_release",
  "refund",
  "transfer",
  "fee",
  "adjustment",
] as const;
export type LedgerTransactionKind = (typeof ledgerTransactionKinds)[number];
