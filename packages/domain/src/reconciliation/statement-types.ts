import type { CurrencyCode } from "@agrinet/core";

import type { StatementFormat } from "@agrinet/stores/reconciliation";

// One list of sources and formats, the store's (its rows carry them).
export {
  reconciliationSources,
  statementFormats,
  type ReconciliationSource,
  type StatementFormat,
} from "@agrinet/stores/reconciliation";

/** One statement row as read from the file, before it is known whether it is new. */
export type ParsedStatementRow = {
  /** 1-based, counting data rows in the file's order. */
  rowNumber: number;
  /** M-Pesa receipt, bank reference, PaymentIntent or charge id. */
  reference: string | null;
  /** A bank batch id or a Stripe payout id: one line paying many ledger movements. */
  batchReference: string | null;
  bookedAt: Date;
  /** Minor units, signed from the provider account's side: money in positive, out negative. */
  amount: bigint;
  currency: CurrencyCode;
  description: string;
  counterparty: string | null;
  balanceAfter: bigint | null;
};

export type RefusedRow = { row: number; reason: string };

export type ParsedStatement = {
  format: StatementFormat;
  periodFrom: Date | null;
  periodTo: Date | null;
  currency: CurrencyCode | null;
  openingBalance: bigint | null;
  closingBalance: bigint | null;
  rows: ParsedStatementRow[];
  refused: RefusedRow[];
};

/** Row-level problems are refused rows; a file that cannot be read at all throws this. */
export class UnreadableStatementError extends Error {}
