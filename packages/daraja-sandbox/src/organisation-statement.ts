
/**
 * The organisation statement the M-Pesa business portal exports, for the payments the sandbox
 * really made. The portal shows times in East Africa Time and lists each transaction with its
 * receipt, both times, the details, its status, Paid In or Withdrawn (withdrawals negative),
 * the running balance and the counterparty; the header block above the column row names the
 * account and the period.
 */
export type StatementEntry = {
  receipt: string;
  completedAt: Date;
  initiatedAt: Date;
  details: string;
  /** Whole shillings (Daraja amounts are whole units): positive paid in, negative withdrawn. */
  amount: number;
  reasonType: string;
  otherPartyInfo: string;
  linkedTransactionId?: string;
};

export const statementColumns = [
  "Receipt No.",
  "Completion Time",
  "Initiation Time",
  "Details",
  "Transaction Status",
  "Paid In",
  "Withdrawn",
  "Balance",
  "Balance Confirmed",
  "Reason Type",
  "Other Party Info",
  "Linked Transaction ID",
  "A/C No.",
] as const;

const eatOffsetMs = 3 * 60 * 60 * 1000;
const dayMs = 24 * 60 * 60 * 1000;

export class StatementQueryError extends Error {}

/** `from`/`to` as dates (whole days in EAT, both included) or ISO date-times; default: today. */
export function statementPeriod(search: URLSearchParams, now = new Date()): { from: Date; to: Date } {
  const today = new Date(now.getTime() + eatOffsetMs).toISOString().slice(0, 10);
  const from = parseBound(search.get("from") ?? today, "from", "start");
  const to = parseBound(search.get("to") ?? search.get("from") ?? today, "to", "end");
  if (to.getTime() < from.getTime()) throw new StatementQueryError("to is before from");
  return { from, to };
}

function parseBound(value: string, name: string, edge: "start" | "end"): Date {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const midnight = Date.parse(`${value}T00:00:00Z`) - eatOffsetMs;
    if (Number.isNaN(midnight)) throw new StatementQueryError(`${name} is not a date`);
    return new Date(edge === "start" ? midnight : midnight + dayMs - 1000);
  }
  const at = Date.parse(value);
  if (Number.isNaN(at)) throw new StatementQueryError(`${name} is not a date (YYYY-MM-DD) or an ISO date-time`);
  return new Date(at);
}

/** dd-mm-yyyy HH:MM:SS in East Africa Time, as the portal prints it. */
export function portalTime(date: Date): string {
  const iso = new Date(date.getTime() + eatOffsetMs).toISOString();
  return `${iso.slice(8, 10)}-${iso.slice(5, 7)}-${iso.slice(0, 4)} ${iso.slice(11, 19)}`;
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

const decimals = (units: number) => `${units.toFixed(2)}`;

/**
 * The CSV for [from, to]. `entries` are every transaction of the account in completion order;
 * the balance runs from `openingBalance` over all of them, so a statement for a later period
 * opens where the earlier one closed.
 */
export function organisationStatementCsv(input: {
  entries: readonly StatementEntry[];
  from: Date;
  to: Date;
  openingBalance: number;
  shortCode: string;
  organisationName: string;
}): string {
  let balance = input.openingBalance;
  const rows: string[] = [];
  let opening = balance;
  for (const entry of input.entries) {
    const at = entry.completedAt.getTime();
    if (at < input.from.getTime()) {
      balance += entry.amount;
      opening = balance;
      continue;
    }
    if (at > input.to.getTime()) break;
    balance += entry.amount;
    rows.push(
      [
        entry.receipt,
        portalTime(entry.completedAt),
        portalTime(entry.initiatedAt),
        entry.details,
        "Completed",
        entry.amount > 0 ? decimals(entry.amount) : "",
        entry.amount < 0 ? decimals(entry.amount) : "",
        decimals(balance),
        "true",
        entry.reasonType,
        entry.otherPartyInfo,
        entry.linkedTransactionId ?? "",
        "",
      ]
        .map(csvField)
        .join(","),
    );
  }
  const header = [
    `Account Holder:,${csvField(input.organisationName)}`,
    `Short Code:,${input.shortCode}`,
    `Account:,Working Account`,
    `Time Period:,${portalTime(input.from)} - ${portalTime(input.to)}`,
    `Opening Balance:,${decimals(opening)}`,
    `Closing Balance:,${decimals(balance)}`,
    "",
    statementColumns.join(","),
  ];
  return `${[...header, ...rows].join("\r\n")}\r\n`;
}

/** An answer that is not JSON (`json` is then the body's text). */
export type SandboxAnswer = { status: number; json: string; contentType?: string };

/** The sandbox's answer to `GET /__sandbox/statement.csv?from=&to=`. */
export function statementCsvAnswer(
  target: string,
  entries: readonly StatementEntry[],
  account: { openingBalance: number; shortCode: string },
): SandboxAnswer {
  const period = statementPeriod(new URL(target, "http://sandbox.local").searchParams);
  return {
    status: 200,
    contentType: "text/csv; charset=utf-8",
    json: organisationStatementCsv({ ...period, ...account, entries, organisationName: "Agrinet Pay" }),
  };
}
