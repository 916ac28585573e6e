import { createHash } from "node:crypto";
import { isSupportedCurrency } from "@agrinet/core";
import type { Db } from "@agrinet/db";
import { listStripeBalanceTransactions } from "@agrinet/rails";
import type Stripe from "stripe";
import { storeParsedStatement, type StatementPreview } from "./import-statement";
import type { ParsedStatementRow, RefusedRow } from "./statement-types";

/**
 * Stripe's side for a period: its balance transactions, pulled through the API and kept as a
 * statement preview like an upload (committed the same way). A charge is a line for its
 * PaymentIntent, a transfer for its id; Stripe's fee is part of the charge's net, so a fee is
 * its own line (reference `<txn>:fee`) that only matches a fee the ledger booked.
 */
export async function pullStripeStatement(options: {
  db: Db;
  stripe: Stripe;
  from: Date;
  to: Date;
  uploadedBy: string;
}): Promise<StatementPreview> {
  const transactions = await listStripeBalanceTransactions(options.stripe, { from: options.from, to: options.to });
  const rows: ParsedStatementRow[] = [];
  const refused: RefusedRow[] = [];
  transactions
    .sort((a, b) => a.created.getTime() - b.created.getTime() || a.id.localeCompare(b.id))
    .forEach((t, index) => {
      const currency = t.currency;
      if (!isSupportedCurrency(currency)) {
        refused.push({ row: index + 1, reason: `${t.id}: unsupported currency ${currency}` });
        return;
      }
      const base = { bookedAt: t.created, currency, counterparty: null, balanceAfter: null };
      rows.push({ ...base, rowNumber: rows.length + 1, reference: t.reference ?? t.id, batchReference: t.payout, amount: t.amount, description: `${t.type} ${t.id} ${t.description}`.trim() });
      if (t.fee !== 0n) {
        rows.push({ ...base, rowNumber: rows.length + 1, reference: `${t.id}:fee`, batchReference: null, amount: -t.fee, description: `Stripe fee for ${t.id}` });
      }
    });
  const ids = transactions.map((t) => t.id).sort().join("\n");
  return storeParsedStatement({
    db: options.db,
    source: "stripe",
    parsed: { format: "stripe_api", periodFrom: options.from, periodTo: options.to, currency: null, openingBalance: null, closingBalance: null, rows, refused },
    fileName: null,
    fileSha256: createHash("sha256").update(ids).digest("hex"),
    bank: null,
    uploadedBy: options.uploadedBy,
  });
}
