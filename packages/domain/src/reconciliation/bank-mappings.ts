import { DomainError, isSupportedCurrency, type CurrencyCode } from "@agrinet/core";
import type { Db } from "@agrinet/db";
import { recordAudit } from "../audit/record-audit";
import type { BankColumnMapping } from "./parse-bank-statement";
import { compileStatementDateFormat } from "./statement-values";

export type SavedBankMapping = { bank: string; columns: BankColumnMapping; dateFormat: string; currency: CurrencyCode };

export async function findBankMapping(db: Db, bank: string): Promise<SavedBankMapping | null> {
  const row = await db.reconciliationBankMapping.findUnique({ where: { bank } });
  if (!row || !isSupportedCurrency(row.currency)) return null;
  return { bank: row.bank, columns: row.columns as BankColumnMapping, dateFormat: row.dateFormat, currency: row.currency };
}

export async function listBankMappings(db: Db): Promise<SavedBankMapping[]> {
  const rows = await db.reconciliationBankMapping.findMany({ orderBy: { bank: "asc" } });
  return rows.flatMap((row) =>
    isSupportedCurrency(row.currency)
      ? [{ bank: row.bank, columns: row.columns as BankColumnMapping, dateFormat: row.dateFormat, currency: row.currency }]
      : [],
  );
}

/** Saves (or replaces) how a bank's CSV names its columns and prints its dates; audited. */
export async function saveBankMapping(options: {
  db: Db;
  mapping: SavedBankMapping;
  actor: string;
  ip?: string | null;
}): Promise<SavedBankMapping> {
  const { mapping } = options;
  try {
    compileStatementDateFormat(mapping.dateFormat);
  } catch (error) {
    throw new DomainError("VALIDATION_FAILED", `dateFormat: ${(error as Error).message}`, {
      fields: [{ path: "dateFormat", message: (error as Error).message }],
    });
  }
  await options.db.$transaction(async (tx) => {
    const data = { columns: mapping.columns, dateFormat: mapping.dateFormat, currency: mapping.currency, updatedBy: options.actor, updatedAt: new Date() };
    await tx.reconciliationBankMapping.upsert({ where: { bank: mapping.bank }, create: { bank: mapping.bank, ...data }, update: data });
    await recordAudit(tx, {
      actor: options.actor,
      action: "reconciliation.bank_mapping.saved",
      target: `bank:${mapping.bank}`,
      ip: options.ip ?? null,
      metadata: { columns: mapping.columns, dateFormat: mapping.dateFormat, currency: mapping.currency },
    });
  });
  return mapping;
}
