import type { CurrencyCode } from "@agrinet/core";
import { csvRecords } from "./csv-records";
import { XMLParser } from "fast-xml-parser";
import type { ParsedStatement, ParsedStatementRow, RefusedRow } from "./statement-types";
import { UnreadableStatementError } from "./statement-types";
import {
  bookingRange,
  compileStatementDateFormat,
  normalizeHeader,
  parseStatementAmount,
  parseStatementTime,
  statementCurrency,
  type StatementDateReader,
} from "./statement-values";

/**
 * How one bank's CSV export names its columns: either one signed `amount` column or `credit`
 * and `debit` columns. Saved per bank (reconciliation_bank_mappings) and used for every upload.
 */
export type BankColumnMapping = {
  bookedAt: string;
  reference: string;
  amount?: string | undefined;
  credit?: string | undefined;
  debit?: string | undefined;
  currency?: string | undefined;
  description?: string | undefined;
  batchReference?: string | undefined;
  counterparty?: string | undefined;
  balance?: string | undefined;
};

/** The saved date format's reader; without one, the day-first guess of parseStatementTime. */
function bankDateReader(dateFormat: string | undefined): StatementDateReader {
  if (!dateFormat) return parseStatementTime;
  try {
    return compileStatementDateFormat(dateFormat);
  } catch (error) {
    throw new UnreadableStatementError(`the saved date format ${JSON.stringify(dateFormat)}: ${(error as Error).message}`);
  }
}

export function parseBankCsv(
  text: string,
  mapping: { columns: BankColumnMapping; currency: CurrencyCode; dateFormat?: string | undefined },
): ParsedStatement {
  const readDate = bankDateReader(mapping.dateFormat);
  const records = csvRecords(text);
  const header = (records[0] ?? []).map(normalizeHeader);
  const column = (name: string | undefined) => (name ? header.indexOf(normalizeHeader(name)) : -1);
  const at = {
    bookedAt: column(mapping.columns.bookedAt),
    reference: column(mapping.columns.reference),
    amount: column(mapping.columns.amount),
    credit: column(mapping.columns.credit),
    debit: column(mapping.columns.debit),
    currency: column(mapping.columns.currency),
    description: column(mapping.columns.description),
    batchReference: column(mapping.columns.batchReference),
    counterparty: column(mapping.columns.counterparty),
    balance: column(mapping.columns.balance),
  };
  const missing = (["bookedAt", "reference"] as const).filter((name) => at[name] === -1);
  if (at.amount === -1 && at.credit === -1 && at.debit === -1) missing.push("amount" as never);
  if (missing.length) {
    throw new UnreadableStatementError(`the saved mapping's columns ${missing.join(", ")} are not in the file's header row`);
  }
  const rows: ParsedStatementRow[] = [];
  const refused: RefusedRow[] = [];
  for (let i = 1; i < records.length; i += 1) {
    const record = records[i]!;
    const cell = (index: number) => (index === -1 ? "" : (record[index] ?? "").trim());
    const rowNumber = i;
    const currency = at.currency === -1 ? mapping.currency : statementCurrency(cell(at.currency));
    if (!currency) {
      refused.push({ row: rowNumber, reason: `unsupported currency ${JSON.stringify(cell(at.currency))}` });
      continue;
    }
    const bookedAt = readDate(cell(at.bookedAt));
    if (!bookedAt) {
      const expected = mapping.dateFormat ? ` (the saved format is ${mapping.dateFormat})` : "";
      refused.push({ row: rowNumber, reason: `unreadable date ${JSON.stringify(cell(at.bookedAt))}${expected}` });
      continue;
    }
    let amount: bigint | null;
    if (at.amount !== -1) {
      amount = parseStatementAmount(cell(at.amount), currency);
    } else {
      const credit = cell(at.credit) ? parseStatementAmount(cell(at.credit), currency) : 0n;
      const debit = cell(at.debit) ? parseStatementAmount(cell(at.debit), currency) : 0n;
      amount = credit === null || debit === null ? null : abs(credit) - abs(debit);
    }
    if (amount === null || amount === 0n) {
      refused.push({ row: rowNumber, reason: "unreadable or zero amount" });
      continue;
    }
    const balanceText = cell(at.balance);
    rows.push({
      rowNumber,
      reference: cell(at.reference) || null,
      batchReference: cell(at.batchReference) || null,
      bookedAt,
      amount,
      currency,
      description: cell(at.description),
      counterparty: cell(at.counterparty) || null,
      balanceAfter: balanceText ? parseStatementAmount(balanceText, currency) : null,
    });
  }
  const range = bookingRange(rows);
  return {
    format: "bank_csv",
    periodFrom: range.from,
    periodTo: range.to,
    currency: mapping.currency,
    openingBalance: null,
    closingBalance: null,
    rows,
    refused,
  };
}

const abs = (value: bigint) => (value < 0n ? -value : value);

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => ["Stmt", "Ntry", "Bal", "TxDtls", "NtryDtls", "Ustrd"].includes(name),
});

type XmlNode = Record<string, unknown>;
const node = (value: unknown): XmlNode => (value && typeof value === "object" ? (value as XmlNode) : {});
const text = (value: unknown): string =>
  typeof value === "string" ? value : value && typeof value === "object" ? text((value as XmlNode)["#text"]) : "";
const list = (value: unknown): XmlNode[] => (Array.isArray(value) ? value.map(node) : value ? [node(value)] : []);

/**
 * An ISO 20022 camt.053 bank-to-customer statement (any version: namespaces are ignored).
 * Each booked entry (Ntry, status BOOK) is a line: its amount signed by CdtDbtInd, the booking
 * date, the bank's reference (AcctSvcrRef, else the entry's end-to-end id) and the payment
 * information id as batch reference; the OPBD/CLBD balances give the opening and closing
 * balance. Pending and information-only entries are refused rows.
 */
export function parseCamt053(document: string): ParsedStatement {
  let root: XmlNode;
  try {
    root = node(xml.parse(document, true));
  } catch (error) {
    throw new UnreadableStatementError(`not well-formed XML: ${(error as Error).message}`);
  }
  const statements = list(node(node(root.Document).BkToCstmrStmt).Stmt);
  if (statements.length === 0) throw new UnreadableStatementError("no BkToCstmrStmt/Stmt element: is this a camt.053 file?");
  const rows: ParsedStatementRow[] = [];
  const refused: RefusedRow[] = [];
  let openingBalance: bigint | null = null;
  let closingBalance: bigint | null = null;
  let periodFrom: Date | null = null;
  let periodTo: Date | null = null;
  let statementCurrencyCode: CurrencyCode | null = null;
  let rowNumber = 0;
  for (const statement of statements) {
    const accountCurrency = statementCurrency(text(node(statement.Acct).Ccy));
    statementCurrencyCode ??= accountCurrency;
    const period = node(statement.FrToDt);
    periodFrom ??= parseStatementTime(text(period.FrDtTm));
    periodTo = parseStatementTime(text(period.ToDtTm)) ?? periodTo;
    for (const balance of list(statement.Bal)) {
      const code = text(node(node(balance.Tp).CdOrPrtry).Cd);
      const amountNode = node(balance.Amt);
      const currency = statementCurrency(text(amountNode["@Ccy"])) ?? accountCurrency;
      if (!currency) continue;
      const amount = parseStatementAmount(text(balance.Amt), currency);
      if (amount === null) continue;
      const signed = text(balance.CdtDbtInd) === "DBIT" ? -amount : amount;
      if ((code === "OPBD" || code === "PRCD") && openingBalance === null) openingBalance = signed;
      if (code === "CLBD") closingBalance = signed;
    }
    for (const entry of list(statement.Ntry)) {
      rowNumber += 1;
      const status = text(entry.Sts) || text(node(entry.Sts).Cd);
      if (status && status !== "BOOK") {
        refused.push({ row: rowNumber, reason: `entry status ${status}, not booked` });
        continue;
      }
      const currency = statementCurrency(text(node(entry.Amt)["@Ccy"])) ?? accountCurrency;
      if (!currency) {
        refused.push({ row: rowNumber, reason: "no or unsupported currency" });
        continue;
      }
      const amount = parseStatementAmount(text(entry.Amt), currency);
      const direction = text(entry.CdtDbtInd);
      if (amount === null || (direction !== "CRDT" && direction !== "DBIT")) {
        refused.push({ row: rowNumber, reason: "unreadable amount or CdtDbtInd" });
        continue;
      }
      const booking = node(entry.BookgDt);
      const bookedAt = parseStatementTime(text(booking.DtTm) || text(booking.Dt));
      if (!bookedAt) {
        refused.push({ row: rowNumber, reason: "no booking date" });
        continue;
      }
      const details = list(entry.NtryDtls).flatMap((d) => list(d.TxDtls));
      const refs = node(details[0]?.Refs);
      const batch = node(list(entry.NtryDtls)[0]?.Btch);
      const remittance = list(node(details[0]?.RmtInf).Ustrd).map(text);
      rows.push({
        rowNumber,
        reference: text(entry.AcctSvcrRef) || text(refs.AcctSvcrRef) || text(refs.EndToEndId) || null,
        batchReference: text(refs.PmtInfId) || text(batch.PmtInfId) || null,
        bookedAt,
        amount: direction === "DBIT" ? -amount : amount,
        currency,
        description: [text(entry.AddtlNtryInf), ...remittance].filter(Boolean).join(" | "),
        counterparty: null,
        balanceAfter: null,
      });
    }
  }
  const range = bookingRange(rows);
  return {
    format: "camt053",
    periodFrom: periodFrom ?? range.from,
    periodTo: periodTo ?? range.to,
    currency: statementCurrencyCode,
    openingBalance,
    closingBalance,
    rows,
    refused,
  };
}
