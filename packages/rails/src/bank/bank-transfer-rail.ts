import { csvCell, formatMinorUnits, isSupportedCurrency } from "@agrinet/core";
import type { PayoutOutcome, PayoutRail, PayoutRequest, PayoutStatus } from "../payout-rail";

/**
 * Bank payouts are made by an operator from the bank's own portal: `send` only checks the
 * destination and leaves the payout waiting; the batch file below is what the operator uploads,
 * and each payout is marked paid or failed by hand afterwards.
 */
export class BankTransferRail implements PayoutRail {
  readonly name = "bank" as const;

  async send(payout: PayoutRequest): Promise<PayoutOutcome> {
    if (payout.destination.type !== "bank" || !payout.destination.account.trim()) {
      return { kind: "failed-final", code: "INVALID_DESTINATION", message: "destination.account must be a bank account number" };
    }
    return { kind: "pending-callback" };
  }

  async queryStatus(): Promise<PayoutStatus> {
    return { kind: "pending-callback" };
  }
}

export type BankBatchRow = {
  payoutId: string;
  amount: bigint;
  currency: string;
  accountNumber: string;
  bankCode?: string | null;
  accountName?: string | null;
  bankName?: string | null;
  reference?: string | null;
};

const header = ["payout_id", "account_name", "account_number", "bank_code", "bank_name", "currency", "amount_minor", "amount", "reference"];

/** RFC 4180 CSV, one row per payout; amounts in minor units and formatted for people. */
export function exportBankPayoutBatchCsv(rows: readonly BankBatchRow[]): string {
  const lines = [header.join(",")];
  for (const row of rows) {
    lines.push(
      [
        row.payoutId,
        row.accountName ?? "",
        row.accountNumber,
        row.bankCode ?? "",
        row.bankName ?? "",
        row.currency,
        row.amount.toString(),
        isSupportedCurrency(row.currency) ? formatMinorUnits(row.amount, row.currency) : row.amount.toString(),
        row.reference ?? row.payoutId,
      ]
        .map(csvCell)
        .join(","),
    );
  }
  return `${lines.join("\r\n")}\r\n`;
}

