import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { confirmDeposit } from "../deposits/confirm-deposit";
import { createDeposit } from "../deposits/create-deposit";
import { externalAccount, platformAccount, userWalletAccount } from "../ledger/account-codes";
import { postLedgerTransaction } from "../ledger/post-ledger-transaction";
import { commitStatement } from "./commit-statement";
import { importStatement } from "./import-statement";
import { listExceptions } from "@agrinet/stores/reconciliation";
import { runReconciliation, runScheduledReconciliation } from "./run-reconciliation";
import { commentOnException, getExceptionDetail, resolveExceptions } from "./work-exceptions";
import { saveBankMapping } from "./bank-mappings";
import { getDailyReconciliationReport } from "./daily-report";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});

const dayMs = 86_400_000;
const eat = (date: Date) => {
  const iso = new Date(date.getTime() + 3 * 3_600_000).toISOString();
  return `${iso.slice(8, 10)}-${iso.slice(5, 7)}-${iso.slice(0, 4)} ${iso.slice(11, 19)}`;
};
const major = (minor: bigint) => {
  const abs = minor < 0n ? -minor : minor;
  return `${minor < 0n ? "-" : ""}${abs / 100n}.${String(abs % 100n).padStart(2, "0")}`;
};

type StatementLine = { receipt: string; at: Date; amount: bigint; details?: string };

/** An M-Pesa organisation statement in the portal's layout. */
function mpesaStatement(lines: StatementLine[], period: { from: Date; to: Date }): string {
  return [
    "Account Holder:,Agrinet Pay",
    `Time Period:,${eat(period.from)} - ${eat(period.to)}`,
    "",
    "Receipt No.,Completion Time,Initiation Time,Details,Transaction Status,Paid In,Withdrawn,Balance,Balance Confirmed,Reason Type,Other Party Info,Linked Transaction ID,A/C No.",
    ...lines.map((l) =>
      [l.receipt, eat(l.at), eat(l.at), l.details ?? "Pay Bill Online", "Completed", l.amount > 0n ? major(l.amount) : "", l.amount < 0n ? major(l.amount) : "", "", "true", "", "", "", ""].join(","),
    ),
  ].join("\r\n");
}

async function importAndCommit(source: "mpesa" | "bank", text: string, bank?: string) {
  const preview = await importStatement({ db: database.db, source, bytes: Buffer.from(text), fileName: "s.csv", bank, uploadedBy: "staff:test" });
  expect(preview.refusedRows).toEqual([]);
  return commitStatement({ db: database.db, statementId: preview.id, actor: "staff:test" });
}

async function openFor(prefix: string) {
  const all = await listExceptions(database.db, { status: "open", limit: 10_000 });
  return all
    .filter((e) => e.reference?.startsWith(prefix) || e.detail.startsWith(prefix))
    .map((e) => ({ kind: e.kind, reference: e.reference }))
    .sort((a, b) => `${a.reference}${a.kind}`.localeCompare(`${b.reference}${b.kind}`));
}

/** A customer's M-Pesa deposit through the one deposit path: created, then confirmed. */
async function mpesaDeposit(reference: string, userId: string, amount: bigint, currency: "KES" = "KES", method: "mpesa" | "bank" = "mpesa") {
  const deposit = await createDeposit({
    db: database.db,
    input: { userId, amount, currency, method, reference, metadata: {} },
    minAmount: 0n,
    chargeStripe: null,
  });
  await confirmDeposit({ db: database.db, depositId: deposit.id, confirmedBy: "ops", evidenceUrl: "https://cdn.example.org/r.jpg" });
}

/** A payout-like movement out of a wallet to the rail, with the rail's receipt. */
async function paidOut(reference: string, userId: string, amount: bigint, rail: "mpesa" | "bank" = "mpesa", payoutId?: string) {
  await postLedgerTransaction(database.db, {
    idempotencyKey: `test-payout:${reference}`,
    kind: "transfer",
    metadata: { providerReference: reference, ...(payoutId ? { payoutId } : {}) },
    postings: [
      { account: userWalletAccount(userId, "KES"), amount: -amount, currency: "KES" },
      { account: externalAccount(rail, "KES"), amount, currency: "KES" },
    ],
  });
}

describe("a day of demo traffic with deliberate faults", () => {
  test("exactly the faults reach the queue, with their kinds; everything else matches", async () => {
    const start = new Date(Date.now() - 60_000);
    const deposits: StatementLine[] = [];
    for (let i = 0; i < 20; i += 1) {
      const receipt = `DAY${String(i).padStart(3, "0")}XYZ`;
      const amount = BigInt(10_000 + i * 1_700);
      await mpesaDeposit(receipt, `user_day_${i % 4}`, amount);
      deposits.push({ receipt, at: new Date(), amount });
    }
    const payouts: StatementLine[] = [];
    for (let i = 0; i < 6; i += 1) {
      const receipt = `DAYOUT${i}ABC`;
      await paidOut(receipt, `user_day_${i % 4}`, 5_000n);
      payouts.push({ receipt, at: new Date(), amount: -5_000n });
    }
    const [missing, duplicated, offByOne, late] = [deposits[3]!, deposits[7]!, deposits[11]!, payouts[2]!];
    const lines: StatementLine[] = [...deposits, ...payouts]
      .filter((l) => l !== missing && l !== late)
      .flatMap((l) => (l === duplicated ? [l, l] : l === offByOne ? [{ ...l, amount: l.amount + 1n }] : [l]));
    // The day's statement, then the next days' (the late line on the third).
    await importAndCommit("mpesa", mpesaStatement(lines, { from: start, to: new Date(start.getTime() + dayMs) }));
    await importAndCommit("mpesa", mpesaStatement([], { from: new Date(start.getTime() + dayMs), to: new Date(start.getTime() + 2 * dayMs) }));
    await importAndCommit("mpesa", mpesaStatement([{ ...late, at: new Date(late.at.getTime() + 3 * dayMs) }], { from: new Date(start.getTime() + 2 * dayMs), to: new Date(start.getTime() + 4 * dayMs) }));

    // The bank: a deposit, a batch of three payouts paid by one line, and a fee we never booked.
    await saveBankMapping({
      db: database.db,
      mapping: { bank: "kcb", currency: "KES", dateFormat: "YYYY-MM-DD", columns: { bookedAt: "Date", reference: "Reference", amount: "Amount", description: "Narrative" } },
      actor: "staff:test",
    });
    await mpesaDeposit("DAYBANK-IN-1", "user_day_0", 300_000n, "KES", "bank");
    await database.db.payoutBatch.create({ data: { id: "pb_day_batch", requestedBy: "staff:test" } });
    for (let i = 0; i < 3; i += 1) {
      await database.db.payout.create({
        data: {
          partnerId: "partner_default", id: `po_day_bank_${i}`, userId: "user_day_0", amount: 20_000n, currency: "KES", destinationType: "bank",
          destination: { type: "bank" }, reference: `day-bank-${i}`, requestHash: "x", status: "paid", batchId: "pb_day_batch", providerReference: `DAYBANK-OUT-${i}`, paidAt: new Date(),
        },
      });
      await paidOut(`DAYBANK-OUT-${i}`, "user_day_0", 20_000n, "bank", `po_day_bank_${i}`);
    }
    const today = new Date(Date.now() + 3 * 3_600_000).toISOString().slice(0, 10);
    await importAndCommit(
      "bank",
      ["Date,Reference,Narrative,Amount", `${today},DAYBANK-IN-1,Deposit,3000.00`, `${today},pb_day_batch,Bulk payout,-600.00`, `${today},,DAYFEE monthly charges,-250.00`].join("\n"),
      "kcb",
    );

    expect(await openFor("DAY")).toEqual(
      [
        { kind: "amount_mismatch", reference: offByOne.receipt },
        { kind: "duplicate_line", reference: duplicated.receipt },
        { kind: "outside_window", reference: late.receipt },
        { kind: "unmatched_movement", reference: missing.receipt },
        { kind: "unmatched_line", reference: null },
      ].sort((a, b) => `${a.reference}${a.kind}`.localeCompare(`${b.reference}${b.kind}`)),
    );
    const matched = await database.db.$queryRaw<{ rule: string; count: bigint }[]>`
      select rule, count(*) from reconciliation_matches group by rule order by rule`;
    // 20 deposits + 6 payouts - missing - late - off by one, counted once despite the duplicate;
    // the bank: one deposit by reference, three payouts by one batch line.
    expect(matched.map((m) => [m.rule, Number(m.count)])).toEqual([
      ["batch", 3],
      ["reference", 23 + 1],
    ]);

    // A dry run changes nothing; a real run finds the same queue again (persisting).
    const dry = await runReconciliation({ db: database.db, source: "mpesa", trigger: "manual", dryRun: true, actor: "staff:test" });
    expect(dry).toMatchObject({ dryRun: true, matched: 0, exceptionsNew: 0, exceptionsPersisting: 4 });
    const again = await runReconciliation({ db: database.db, source: "mpesa", trigger: "manual", actor: "staff:test" });
    expect(again).toMatchObject({ matched: 0, exceptionsNew: 0, exceptionsPersisting: 4, exceptionsResolved: 0 });

    // The fee is adjusted: the platform account bears it, the line matches the adjustment.
    await postLedgerTransaction(database.db, {
      idempotencyKey: "test:fund-platform",
      kind: "deposit",
      postings: [
        { account: externalAccount("cash", "KES"), amount: -100_000n, currency: "KES" },
        { account: platformAccount("ntari-platform", "KES"), amount: 100_000n, currency: "KES" },
      ],
    });
    const [fee] = await listExceptions(database.db, { status: "open", kind: "unmatched_line", source: "bank", limit: 10 });
    const [adjusted] = await resolveExceptions({
      db: database.db,
      exceptionIds: [fee!.id],
      resolution: { action: "adjust", reason: "KCB monthly charges", counterAccount: platformAccount("ntari-platform", "KES") },
      actor: "staff:test",
    });
    expect(adjusted).toMatchObject({ status: "resolved", resolution: "adjusted" });
    expect(adjusted!.adjustmentTransactionId).not.toBeNull();
    await expect(
      resolveExceptions({ db: database.db, exceptionIds: [fee!.id], resolution: { action: "explain", reason: "again" }, actor: "staff:test" }),
    ).rejects.toMatchObject({ code: "INVALID_STATE" });
    const bankRun = await runReconciliation({ db: database.db, source: "bank", trigger: "manual", actor: "staff:test" });
    expect(bankRun).toMatchObject({ exceptionsNew: 0, unmatchedLines: 0, unmatchedMovements: 0 });
    const audit = await database.db.auditLog.findMany({ where: { action: { startsWith: "reconciliation.exception" } } });
    expect(audit.map((a) => a.action)).toEqual(["reconciliation.exception.adjusted"]);

    // The late line explained; it stays resolved however often the matching runs.
    const [lateException] = await listExceptions(database.db, { status: "open", reference: late.receipt, limit: 10 });
    await resolveExceptions({ db: database.db, exceptionIds: [lateException!.id], resolution: { action: "explain", reason: "M-Pesa posted it late" }, actor: "staff:test" });
    await runReconciliation({ db: database.db, source: "mpesa", trigger: "manual", actor: "staff:test" });
    expect((await openFor("DAY")).map((e) => e.kind).sort()).toEqual(["amount_mismatch", "duplicate_line", "unmatched_movement"]);

    // The worker's scheduled pass: the sources with statements, nothing new to find.
    const scheduled = await runScheduledReconciliation(database.db);
    expect(scheduled.map((r) => [r.source, r.exceptionsNew])).toEqual([["mpesa", 0], ["bank", 0]]);

    const report = await getDailyReconciliationReport({ db: database.db, source: "bank", from: new Date(`${today}T00:00:00+03:00`), to: new Date(Date.parse(`${today}T00:00:00+03:00`) + dayMs) });
    expect(report).toEqual([
      expect.objectContaining({ day: today, currency: "KES", moneyIn: 300_000n, moneyOut: 85_000n, lines: 3, matchedLines: 3, matchedPercent: 100, unexplainedDifference: 0n }),
    ]);
  });
});

describe("working one exception", () => {
  test("the detail offers the unmatched posting of the same amount to link; linked, it lists it as matched and offers nothing", async () => {
    await postLedgerTransaction(database.db, {
      idempotencyKey: "test:fund-platform-link",
      kind: "deposit",
      postings: [
        { account: externalAccount("cash", "KES"), amount: -1_000n, currency: "KES" },
        { account: platformAccount("ntari-platform", "KES"), amount: 1_000n, currency: "KES" },
      ],
    });
    await postLedgerTransaction(database.db, {
      idempotencyKey: "test:fund-link",
      kind: "deposit",
      postings: [
        { account: externalAccount("cash", "KES"), amount: -100_000n, currency: "KES" },
        { account: userWalletAccount("user_link", "KES"), amount: 100_000n, currency: "KES" },
      ],
    });
    await paidOut("LNKPOST-OTHER", "user_link", 1_234n);
    await paidOut("LNKPOST-1", "user_link", 7_000n);
    // M-Pesa printed another receipt than the one our payout recorded.
    const now = new Date();
    await importAndCommit("mpesa", mpesaStatement([{ receipt: "LNKLINE-1", at: now, amount: -7_000n }], { from: new Date(now.getTime() - 60_000), to: now }));
    const [exception] = await listExceptions(database.db, { status: "open", reference: "LNKLINE-1", limit: 10 });
    expect(exception).toMatchObject({ kind: "unmatched_line", statementAmount: -7_000n });

    const detail = await getExceptionDetail(database.db, exception!.id);
    expect(detail.line).toMatchObject({ reference: "LNKLINE-1", amount: -7_000n, currency: "KES", status: "unmatched", rowNumber: 1 });
    expect(detail.candidates[0]).toMatchObject({ reference: "LNKPOST-1", amount: -7_000n, currency: "KES" });
    expect(detail.candidates.map((p) => p.reference)).toContain("LNKPOST-OTHER");
    expect(detail.adjustmentAccounts).toContain("platform:ntari-platform:KES");
    expect(detail.matchedPostings).toEqual([]);

    await resolveExceptions({
      db: database.db,
      exceptionIds: [exception!.id],
      resolution: { action: "link", reason: "M-Pesa reissued the receipt", postingIds: [detail.candidates[0]!.id] },
      actor: "staff:test",
    });
    await commentOnException({ db: database.db, exceptionId: exception!.id, body: "checked with Safaricom", actor: "staff:test" });
    const linked = await getExceptionDetail(database.db, exception!.id);
    expect(linked.exception).toMatchObject({ status: "resolved", resolution: "linked", resolutionReason: "M-Pesa reissued the receipt" });
    expect(linked.line?.status).toBe("matched");
    expect(linked.matchedPostings).toEqual([expect.objectContaining({ reference: "LNKPOST-1", rule: "manual" })]);
    expect(linked.candidates).toEqual([]);
    expect(linked.comments).toEqual([expect.objectContaining({ author: "staff:test", body: "checked with Safaricom" })]);
    await expect(getExceptionDetail(database.db, 999_999_999n)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

type Fault = "missing" | "duplicate" | "amount" | "late" | "unknown";
const expectedKind: Record<Fault, string> = {
  missing: "unmatched_movement",
  duplicate: "duplicate_line",
  amount: "amount_mismatch",
  late: "outside_window",
  unknown: "unmatched_line",
};

describe("property: the queue is exactly the injected faults", () => {
  test("random ledgers, random faults", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ amount: fc.bigInt({ min: 1n, max: 5_000_000n }), out: fc.boolean() }), { minLength: 1, maxLength: 12 }),
        fc.array(fc.constantFrom<Fault>("missing", "duplicate", "amount", "late", "unknown"), { maxLength: 12 }),
        fc.bigInt({ min: 1n, max: 999n }),
        async (movements, faults, delta) => {
          run += 1;
          const prefix = `P${run}X`;
          const user = `user_prop_${run}`;
          await postLedgerTransaction(database.db, {
            idempotencyKey: `prop-fund:${run}`,
            kind: "deposit",
            postings: [
              { account: externalAccount("cash", "KES"), amount: -10_000_000_000n, currency: "KES" },
              { account: userWalletAccount(user, "KES"), amount: 10_000_000_000n, currency: "KES" },
            ],
          });
          const start = new Date(Date.now() - 60_000);
          const lines: StatementLine[] = [];
          const expected: { kind: string; reference: string }[] = [];
          for (const [i, m] of movements.entries()) {
            const receipt = `${prefix}${String(i).padStart(3, "0")}`;
            if (m.out) await paidOut(receipt, user, m.amount);
            else {
              await postLedgerTransaction(database.db, {
                idempotencyKey: `prop-in:${receipt}`,
                kind: "deposit",
                metadata: { reference: receipt },
                postings: [
                  { account: externalAccount("mpesa", "KES"), amount: -m.amount, currency: "KES" },
                  { account: userWalletAccount(user, "KES"), amount: m.amount, currency: "KES" },
                ],
              });
            }
            const line = { receipt, at: new Date(), amount: m.out ? -m.amount : m.amount };
            // One fault per movement at most; the rest of the faults are unknown lines.
            const fault = faults[i] === "unknown" ? undefined : faults[i];
            if (fault) expected.push({ kind: expectedKind[fault], reference: receipt });
            if (fault === "missing") continue;
            if (fault === "late") lines.push({ ...line, at: new Date(line.at.getTime() + 3 * dayMs) });
            // Away from zero: a line of 0 or of the other sign is not an M-Pesa statement line
            // (the parser refuses it), so the fault would be a refused row, not a mismatch.
            else if (fault === "amount") lines.push({ ...line, amount: line.amount + (line.amount < 0n ? -delta : delta) });
            else if (fault === "duplicate") lines.push(line, line);
            else lines.push(line);
          }
          for (const [i, fault] of faults.entries()) {
            if (fault === "unknown" || i >= movements.length) {
              const receipt = `${prefix}U${i}`;
              lines.push({ receipt, at: new Date(), amount: delta * 100n });
              expected.push({ kind: "unmatched_line", reference: receipt });
            }
          }
          await importAndCommit("mpesa", mpesaStatement(lines, { from: start, to: new Date(start.getTime() + 4 * dayMs) }));
          const queue = await openFor(prefix);
          expect(queue).toEqual(expected.sort((a, b) => `${a.reference}${a.kind}`.localeCompare(`${b.reference}${b.kind}`)));
        },
      ),
      { numRuns: 25 },
    );
  });
});
