import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { afterAll, beforeAll, expect, test } from "vitest";
import { confirmDeposit } from "../deposits/confirm-deposit";
import { createDeposit } from "../deposits/create-deposit";
import { commitStatement } from "./commit-statement";
import { getBalanceComparisonHistory, getDailyReconciliationReport } from "./daily-report";
import { importStatement } from "./import-statement";
import { runScheduledReconciliation } from "./run-reconciliation";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});

const eat = (date: Date) => {
  const iso = new Date(date.getTime() + 3 * 3_600_000).toISOString();
  return `${iso.slice(8, 10)}-${iso.slice(5, 7)}-${iso.slice(0, 4)} ${iso.slice(11, 19)}`;
};
const eatDay = (date: Date) => new Date(date.getTime() + 3 * 3_600_000).toISOString().slice(0, 10);
const major = (minor: bigint) => `${minor / 100n}.${String(minor % 100n).padStart(2, "0")}`;

async function mpesaDeposit(receipt: string, amount: bigint) {
  const deposit = await createDeposit({
    db: database.db,
    input: { userId: "user_comparisons", amount, currency: "KES", method: "mpesa", reference: receipt, metadata: {} },
    minAmount: 0n,
    chargeStripe: null,
  });
  await confirmDeposit({ db: database.db, depositId: deposit.id, confirmedBy: "ops", evidenceUrl: "https://cdn.example.org/r.jpg" });
  return { receipt, amount, at: new Date() };
}

/** The portal's statement with its opening and closing balance in the header block. */
async function commitMpesaStatement(lines: { receipt: string; amount: bigint; at: Date }[], period: { from: Date; to: Date }, opening: bigint) {
  const closing = lines.reduce((sum, l) => sum + l.amount, opening);
  const csv = [
    "Account Holder:,Agrinet Pay",
    `Time Period:,${eat(period.from)} - ${eat(period.to)}`,
    `Opening Balance:,${major(opening)}`,
    `Closing Balance:,${major(closing)}`,
    "",
    "Receipt No.,Completion Time,Initiation Time,Details,Transaction Status,Paid In,Withdrawn,Balance",
    ...lines.map((l) => [l.receipt, eat(l.at), eat(l.at), "Pay Bill Online", "Completed", major(l.amount), "", ""].join(",")),
  ].join("\r\n");
  const preview = await importStatement({ db: database.db, source: "mpesa", bytes: Buffer.from(csv), fileName: `mpesa-${lines.length}.csv`, uploadedBy: "staff:test" });
  expect(preview.refusedRows).toEqual([]);
  return commitStatement({ db: database.db, statementId: preview.id, actor: "staff:test" });
}

test("each day's closing comparison is recorded at commit and by the scheduled run, as versions: the report never recomputes it", async () => {
  const float = 50_000n;
  const period = { from: new Date(Date.now() - 60_000), to: new Date(Date.now() + 10 * 60_000) };
  const day = eatDay(new Date(period.to.getTime() - 1));
  const report = async () =>
    (await getDailyReconciliationReport({ db: database.db, source: "mpesa", from: new Date(`${day}T00:00:00+03:00`), to: new Date(Date.parse(`${day}T00:00:00+03:00`) + 86_400_000) }))[0]!;
  const history = () => getBalanceComparisonHistory({ db: database.db, source: "mpesa", fromDay: day, toDay: day });

  const first = [await mpesaDeposit("CMPA000001", 12_000n), await mpesaDeposit("CMPA000002", 8_000n)];
  const committed = await commitMpesaStatement(first, period, float);
  expect(committed.run).toMatchObject({ matched: 2, balanceComparisonsRecorded: 1 });
  // The statement's closing holds the float the ledger never saw: that is the difference.
  expect(await report()).toMatchObject({ day, currency: "KES", opening: float, closing: float + 20_000n, ledgerClosing: 20_000n, closingDifference: float, comparisonVersion: 1 });

  // Money lands on the clearing account before the statement's period ends: the report still
  // shows what was recorded, not a figure recomputed behind the finance team's back...
  const late = await mpesaDeposit("CMPA000003", 5_000n);
  expect(await report()).toMatchObject({ ledgerClosing: 20_000n, closingDifference: float, comparisonVersion: 1 });

  // ...until the scheduled run records the change as a second version, once.
  const [scheduled] = await runScheduledReconciliation(database.db);
  expect(scheduled).toMatchObject({ source: "mpesa", balanceComparisonsRecorded: 1 });
  expect(await report()).toMatchObject({ ledgerClosing: 25_000n, closingDifference: float - 5_000n, comparisonVersion: 2 });
  expect((await runScheduledReconciliation(database.db))[0]).toMatchObject({ balanceComparisonsRecorded: 0 });

  // A corrected statement for the same day: committing it records the third version.
  const corrected = await commitMpesaStatement([...first, late], period, float);
  expect(corrected.run).toMatchObject({ balanceComparisonsRecorded: 1 });
  expect(await report()).toMatchObject({ opening: float, closing: float + 25_000n, ledgerClosing: 25_000n, closingDifference: float, comparisonVersion: 3 });

  const versions = await history();
  expect(versions.map((v) => [v.version, v.trigger, v.statementClosing, v.ledgerClosing, v.difference])).toEqual([
    [1, "commit", float + 20_000n, 20_000n, float],
    [2, "schedule", float + 20_000n, 25_000n, float - 5_000n],
    [3, "commit", float + 25_000n, 25_000n, float],
  ]);
  expect(versions[0]!.statementId).toBe(committed.statement.id);
  expect(versions[2]!.statementId).toBe(corrected.statement.id);

  // History is never edited or deleted.
  await expect(database.db.$executeRaw`update reconciliation_balance_comparisons set difference = 0`).rejects.toThrow(/never changed/);
  await expect(database.db.$executeRaw`delete from reconciliation_balance_comparisons`).rejects.toThrow(/never changed/);
  expect(await history()).toHaveLength(3);
});
