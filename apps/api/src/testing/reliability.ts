// What every reliability scenario ends with: the ledger checked by the same function as
// `pnpm ledger:verify`, and one line saying what was checked.
import type { Db } from "@agrinet/db";
import { verifyLedger, type LedgerVerification } from "@agrinet/domain";
import { expect } from "vitest";

/** RELIABILITY_SCALE shrinks (0.1) or grows (10) every scenario's load; counts stay whole. */
export function scaled(count: number, minimum = 1): number {
  const scale = Number(process.env.RELIABILITY_SCALE ?? 1);
  return Math.max(minimum, Math.round(count * (Number.isFinite(scale) && scale > 0 ? scale : 1)));
}

/** Fails the scenario on any ledger violation; returns the totals that were checked. */
export async function expectLedgerVerified(db: Db): Promise<LedgerVerification["totals"]> {
  const report = await verifyLedger(db);
  expect(report.checks.filter((check) => check.violations > 0)).toEqual([]);
  expect(report.ok).toBe(true);
  return report.totals;
}

/** Verifies the ledger, then prints the scenario's counts with the ledger's. */
export async function reportScenario(name: string, db: Db, counts: string): Promise<void> {
  const totals = await expectLedgerVerified(db);
  console.info(
    `[reliability] ${name}: ${counts}; ledger verified: ${totals.postings} postings, ${totals.transactions} transactions, ${totals.accounts} accounts`,
  );
}
