import { isoDateOutput, bigintIdOutput, nullableIsoDateOutput, nullableBigintIdOutput } from "@agrinet/schemas";
import { z } from "zod";
import { currencyInput, minorUnitsOutput } from "@agrinet/core";
import { exceptionKinds, reconciliationExceptionStatuses, reconciliationSources } from "@agrinet/domain";

const nullableAmount = minorUnitsOutput.nullable();

export const sourceInput = z.enum(reconciliationSources);
export const statementIdInput = z.string().regex(/^stmt_[0-9a-f]{20}$/, "expected a statement id (stmt_…)");
export const exceptionIdInput = z
  .string()
  .regex(/^\d{1,18}$/, "expected an exception id")
  .transform((id) => BigInt(id));

export const statementOutput = z.object({
  id: z.string(),
  source: z.string(),
  format: z.string(),
  status: z.string(),
  fileName: z.string().nullable(),
  fileSha256: z.string(),
  bank: z.string().nullable(),
  periodFrom: nullableIsoDateOutput,
  periodTo: nullableIsoDateOutput,
  currency: z.string().nullable(),
  openingBalance: nullableAmount,
  closingBalance: nullableAmount,
  rowsParsed: z.number().int(),
  refusedRows: z.array(z.object({ row: z.number().int(), reason: z.string() })),
  linesAdded: z.number().int().nullable(),
  uploadedBy: z.string(),
  committedBy: z.string().nullable(),
  createdAt: isoDateOutput,
  committedAt: nullableIsoDateOutput,
});

export const statementPreviewOutput = statementOutput.extend({
  rowsKnown: z.number().int(),
  rowsNew: z.number().int(),
  totals: z.array(z.object({ currency: z.string(), moneyIn: minorUnitsOutput, moneyOut: minorUnitsOutput, rows: z.number().int() })),
});

export const runOutput = z.object({
  runId: z.string(),
  source: z.string(),
  dryRun: z.boolean(),
  matched: z.number().int(),
  matchedByReference: z.number().int(),
  matchedByBatch: z.number().int(),
  unmatchedLines: z.number().int(),
  unmatchedMovements: z.number().int(),
  exceptionsNew: z.number().int(),
  exceptionsPersisting: z.number().int(),
  exceptionsResolved: z.number().int(),
  /** Days whose closing comparison came out new or different and was recorded as a new version. */
  balanceComparisonsRecorded: z.number().int(),
});

export const exceptionOutput = z.object({
  id: bigintIdOutput,
  source: z.string(),
  kind: z.enum(exceptionKinds),
  status: z.enum(reconciliationExceptionStatuses),
  lineId: nullableBigintIdOutput,
  postingId: nullableBigintIdOutput,
  reference: z.string().nullable(),
  ledgerAmount: nullableAmount,
  statementAmount: nullableAmount,
  currency: z.string().nullable(),
  occurredAt: isoDateOutput,
  detail: z.string(),
  assignee: z.string().nullable(),
  resolution: z.string().nullable(),
  resolutionReason: z.string().nullable(),
  resolvedBy: z.string().nullable(),
  resolvedAt: nullableIsoDateOutput,
  adjustmentTransactionId: nullableBigintIdOutput,
  createdAt: isoDateOutput,
  updatedAt: isoDateOutput,
  comments: z.number().int(),
  /** An unmatched payment's M-Pesa payment: worked in collections (mpesa.assignUnmatched / mpesa.returnUnmatched). */
  mpesaPaymentId: z.string().nullable(),
});

/** An exception with its age in whole days, from when it was first found. */
export function withAge<T extends { createdAt: Date; resolvedAt: Date | null }>(exception: T, now = Date.now()) {
  const until = exception.resolvedAt?.getTime() ?? now;
  return { ...exception, ageDays: Math.floor((until - exception.createdAt.getTime()) / 86_400_000) };
}

export const exceptionWithAgeOutput = exceptionOutput.extend({ ageDays: z.number().int() });

const column = z.string().trim().min(1).max(200);
export const mappingShape = z.object({
  bank: z.string().trim().regex(/^[A-Za-z0-9_.-]{1,60}$/, "letters, digits, _ . - (at most 60)"),
  columns: z
    .object({
      bookedAt: column,
      reference: column,
      amount: column.optional(),
      credit: column.optional(),
      debit: column.optional(),
      currency: column.optional(),
      description: column.optional(),
      batchReference: column.optional(),
      counterparty: column.optional(),
      balance: column.optional(),
    })
    .refine((c) => c.amount !== undefined || c.credit !== undefined || c.debit !== undefined, {
      message: "name an amount column, or credit and debit columns",
      path: ["amount"],
    }),
  dateFormat: z.string().trim().min(1).max(40).default("DD/MM/YYYY"),
  currency: currencyInput,
});

export const commentOutput = z.object({
  id: bigintIdOutput,
  author: z.string(),
  body: z.string(),
  createdAt: isoDateOutput,
});
