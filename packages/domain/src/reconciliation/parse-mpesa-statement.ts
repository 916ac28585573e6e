import type { CurrencyCode } from "@agrinet/core";
import { csvRecords } from "./csv-records";
import type { ParsedStatement, ParsedStatementRow, RefusedRow } from "./statement-types";
import { UnreadableStatementError } from "./statement-types";
import { bookingRange, normalizeHeader, parseStatementAmount, parseStatementTime, statementCurrency } from "./statement-values";

/** Column names the portal has used, normalised (see normalizeHeader). */
const columnAliases = {
  receipt: ["receiptno", "receipt", "receiptnumber", "transactionid", "transid"],
  completedAt: ["completiontime", "completiondate", "completedtime", "transactiontime", "date"],
  initiatedAt: ["initiationtime"],
  details: ["details", "description", "transactiondetails"],
  status: ["transactionstatus", "status"],
  paidIn: ["paidin", "moneyin", "credit"],
  withdrawn: ["withdrawn", "withdrawal", "paidout", "moneyout", "debit"],
  balance: ["balance"],
  reasonType: ["reasontype"],
  otherParty: ["otherpartyinfo", "otherparty"],
  linked: ["linkedtransactionid"],
} as const;
type Column = keyof typeof columnAliases;

/**
 * An M-Pesa organisation statement as the business portal exports it (CSV). Tolerated: a header
 * block above the column row (account, "Time Period", opening and closing balance), columns in
 * any order and spelling of the portal's versions, missing optional columns, thousands
 * separators, withdrawals printed negative or positive, day-first times with or without
 * seconds or AM/PM, a UTF-8 BOM, blank lines. Only completed transactions are movements: other
 * statuses are refused rows, with the reason.
 */
export function parseMpesaStatement(text: string, options: { currency?: CurrencyCode } = {}): ParsedStatement {
  const records = csvRecords(text);
  const headerAt = records.findIndex((record) => record.some((cell) => columnAliases.receipt.includes(normalizeHeader(cell) as never)));
  if (headerAt === -1) throw new UnreadableStatementError("no column row with a Receipt No. column: is this an M-Pesa statement?");

  const preamble = new Map<string, string>();
  for (const record of records.slice(0, headerAt)) {
    if (record[0]) preamble.set(normalizeHeader(record[0]), record.slice(1).filter(Boolean).join(",").trim());
  }
  const currency = options.currency ?? statementCurrency(preamble.get("currency")) ?? "KES";

  const header = records[headerAt]!.map(normalizeHeader);
  const index = {} as Record<Column, number>;
  for (const column of Object.keys(columnAliases) as Column[]) {
    index[column] = header.findIndex((name) => (columnAliases[column] as readonly string[]).includes(name));
  }
  if (index.completedAt === -1) throw new UnreadableStatementError("no Completion Time column");
  if (index.paidIn === -1 && index.withdrawn === -1) throw new UnreadableStatementError("no Paid In or Withdrawn column");

  const rows: ParsedStatementRow[] = [];
  const refused: RefusedRow[] = [];
  // One reader for every row, not a closure per row: a 100,000-line statement made 100,000 of them.
  let record: string[] = [];
  const cell = (column: Column) => (index[column] === -1 ? "" : (record[index[column]] ?? ""));
  for (let at = headerAt + 1; at < records.length; at += 1) {
    record = records[at]!;
    const rowNumber = at - headerAt;
    const receipt = cell("receipt");
    if (!receipt) {
      refused.push({ row: rowNumber, reason: "no receipt number" });
      continue;
    }
    const status = cell("status");
    if (status && status.toLowerCase() !== "completed") {
      refused.push({ row: rowNumber, reason: `${receipt}: status ${status}, not a completed movement` });
      continue;
    }
    const bookedAt = parseStatementTime(cell("completedAt"));
    if (!bookedAt) {
      refused.push({ row: rowNumber, reason: `${receipt}: unreadable completion time ${JSON.stringify(cell("completedAt"))}` });
      continue;
    }
    const paidInText = cell("paidIn");
    const withdrawnText = cell("withdrawn");
    const paidIn = paidInText ? parseStatementAmount(paidInText, currency) : 0n;
    const withdrawn = withdrawnText ? parseStatementAmount(withdrawnText, currency) : 0n;
    if (paidIn === null || withdrawn === null) {
      refused.push({ row: rowNumber, reason: `${receipt}: unreadable amount ${JSON.stringify(paidIn === null ? paidInText : withdrawnText)}` });
      continue;
    }
    const absIn = paidIn < 0n ? -paidIn : paidIn;
    const absOut = withdrawn < 0n ? -withdrawn : withdrawn;
    if ((absIn === 0n) === (absOut === 0n)) {
      refused.push({ row: rowNumber, reason: `${receipt}: needs exactly one of Paid In and Withdrawn` });
      continue;
    }
    const balanceText = cell("balance");
    rows.push({
      rowNumber,
      reference: receipt,
      batchReference: null,
      bookedAt,
      amount: absIn !== 0n ? absIn : -absOut,
      currency,
      description: [cell("details"), cell("reasonType")].filter(Boolean).join(" | "),
      counterparty: cell("otherParty") || null,
      balanceAfter: balanceText ? parseStatementAmount(balanceText, currency) : null,
    });
  }

  const period = /^(.+?)\s+(?:-|to)\s+(.+)$/i.exec(preamble.get("timeperiod") ?? "");
  const booked = bookingRange(rows);
  const opening = preamble.get("openingbalance");
  const closing = preamble.get("closingbalance");
  return {
    format: "mpesa_csv",
    periodFrom: (period && parseStatementTime(period[1]!)) ?? booked.from,
    periodTo: (period && parseStatementTime(period[2]!)) ?? booked.to,
    currency,
    openingBalance: opening ? parseStatementAmount(opening, currency) : null,
    closingBalance: closing ? parseStatementAmount(closing, currency) : null,
    rows,
    refused,
  };
}
