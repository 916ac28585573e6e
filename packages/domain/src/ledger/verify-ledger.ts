import type { Db } from "@agrinet/db";
import { runLedgerChecks, type LedgerCheckResult } from "@agrinet/stores/ledger";

export type LedgerCheck = LedgerCheckResult;

export type LedgerVerification = {
  ok: boolean;
  checkedAt: Date;
  totals: { accounts: number; transactions: number; postings: number; pendingHolds: number };
  checks: LedgerCheck[];
};

/**
 * Checks the whole ledger: balanced transactions, balances equal to their postings, running
 * balances, no forbidden negative balance, holds consistent with `held`. Runs in one
 * repeatable-read snapshot so concurrent posting can't produce false alarms.
 */
export async function verifyLedger(db: Db): Promise<LedgerVerification> {
  const { checks, totals } = await runLedgerChecks(db);
  return { ok: checks.every((c) => c.violations === 0), checkedAt: new Date(), totals, checks };
}

/** The report `pnpm ledger:verify` prints. */
export function formatLedgerVerification(report: LedgerVerification): string {
  const lines = [
    `ledger: ${report.totals.accounts} accounts, ${report.totals.transactions} transactions, ` +
      `${report.totals.postings} postings, ${report.totals.pendingHolds} pending holds`,
  ];
  for (const check of report.checks) {
    lines.push(`${check.violations === 0 ? "ok  " : "FAIL"} ${check.name}: ${check.description}` +
      (check.violations ? ` (${check.violations} violation(s))` : ""));
    for (const example of check.examples) lines.push(`       ${example}`);
  }
  lines.push(report.ok ? "ledger verified: no violations" : "LEDGER VERIFICATION FAILED");
  return lines.join("\n");
}
