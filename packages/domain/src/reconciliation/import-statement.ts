import { createHash } from "node:crypto";
import { DomainError, randomHex, type CurrencyCode } from "@agrinet/core";
import { inPgTransaction, type Db } from "@agrinet/db";
import { parseBankCsv, parseCamt053, type BankColumnMapping } from "./parse-bank-statement";
import { parseMpesaStatement } from "./parse-mpesa-statement";
import {
  countKnownRows,
  findStatement,
  insertStatement,
  statementTotals,
  type StatementRecord,
  type StatementTotals,
} from "@agrinet/stores/reconciliation";
import { findBankMapping } from "./bank-mappings";
import { assignLineIdentities } from "./statement-values";
import { UnreadableStatementError, type ParsedStatement, type ReconciliationSource } from "./statement-types";

/** 100,000-line statements are a few MB; this leaves room without holding absurd uploads. */
export const maxStatementBytes = 64 * 1024 * 1024;

export type StatementPreview = StatementRecord & {
  rowsKnown: number;
  rowsNew: number;
  totals: StatementTotals[];
};

export async function statementPreview(db: Db, id: string): Promise<StatementPreview> {
  const statement = await findStatement(db, id);
  if (!statement) throw new DomainError("NOT_FOUND", `statement ${id} not found`, { fields: [{ path: "statementId", message: "not found" }] });
  // A committed statement knows how many of its rows were new; only a preview asks the lines.
  const [rowsKnown, totals] = await Promise.all([
    statement.status === "committed" ? statement.rowsParsed - (statement.linesAdded ?? 0) : countKnownRows(db, id, statement.source),
    statementTotals(db, id),
  ]);
  return { ...statement, rowsKnown, rowsNew: statement.rowsParsed - rowsKnown, totals };
}

function parseUpload(
  source: ReconciliationSource,
  text: string,
  mapping: { columns: BankColumnMapping; currency: CurrencyCode; dateFormat: string } | null,
  currency: CurrencyCode | undefined,
): ParsedStatement {
  if (source === "mpesa") return parseMpesaStatement(text, currency ? { currency } : {});
  if (source === "bank") {
    if (/^\s*(<\?xml|<Document)/.test(text)) return parseCamt053(text);
    if (!mapping) {
      throw new DomainError("VALIDATION_FAILED", "bank: a bank CSV needs the bank whose saved column mapping reads it", {
        fields: [{ path: "bank", message: "required for a bank CSV (or upload camt.053 XML)" }],
      });
    }
    return parseBankCsv(text, mapping);
  }
  throw new DomainError("VALIDATION_FAILED", "source: Stripe balance transactions are pulled from Stripe, not uploaded", {
    fields: [{ path: "source", message: "use the Stripe pull for stripe" }],
  });
}

/**
 * Reads an uploaded statement and keeps it as a preview: nothing reaches the lines until staff
 * commit it. A file that cannot be read at all is a 400 naming the problem; rows that cannot be
 * read are listed with their reason and left out.
 */
export async function importStatement(options: {
  db: Db;
  source: ReconciliationSource;
  bytes: Buffer;
  fileName: string | null;
  bank?: string | undefined;
  currency?: CurrencyCode | undefined;
  uploadedBy: string;
}): Promise<StatementPreview> {
  if (options.bytes.length === 0) {
    throw new DomainError("VALIDATION_FAILED", "file: empty", { fields: [{ path: "file", message: "empty" }] });
  }
  const mapping = options.source === "bank" && options.bank ? await findBankMapping(options.db, options.bank) : null;
  if (options.source === "bank" && options.bank && !mapping) {
    throw new DomainError("VALIDATION_FAILED", `bank: no saved column mapping for ${JSON.stringify(options.bank)}`, {
      fields: [{ path: "bank", message: "no saved column mapping" }],
    });
  }
  let parsed: ParsedStatement;
  try {
    parsed = parseUpload(options.source, options.bytes.toString("utf8"), mapping, options.currency);
  } catch (error) {
    if (error instanceof UnreadableStatementError) {
      throw new DomainError("VALIDATION_FAILED", `file: ${error.message}`, { fields: [{ path: "file", message: error.message }] });
    }
    throw error;
  }
  return storeParsedStatement({
    db: options.db,
    source: options.source,
    parsed,
    fileName: options.fileName,
    fileSha256: createHash("sha256").update(options.bytes).digest("hex"),
    bank: options.bank ?? null,
    uploadedBy: options.uploadedBy,
  });
}

export async function storeParsedStatement(options: {
  db: Db;
  source: ReconciliationSource;
  parsed: ParsedStatement;
  fileName: string | null;
  fileSha256: string;
  bank: string | null;
  uploadedBy: string;
}): Promise<StatementPreview> {
  const id = `stmt_${randomHex(10)}`;
  await inPgTransaction(options.db, (client) =>
      insertStatement(client, {
        id,
        source: options.source,
        fileName: options.fileName,
        fileSha256: options.fileSha256,
        bank: options.bank,
        uploadedBy: options.uploadedBy,
        parsed: options.parsed,
        identities: assignLineIdentities(options.parsed.rows),
      }),
  );
  return statementPreview(options.db, id);
}
