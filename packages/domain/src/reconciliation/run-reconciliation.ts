import { randomHex } from "@agrinet/core";
import type { Db, Tx } from "@agrinet/db";
import { recordAudit } from "../audit/record-audit";
import { matchWindowSeconds } from "./reconciliation-rules";
import {
  finishRun,
  insertRun,
  lockSource,
  matchSource,
  mergeExceptions,
  recordBalanceComparisons,
  sourcesWithStatements,
} from "@agrinet/stores/reconciliation";
import { reconciliationSources, type ReconciliationSource } from "./statement-types";

export type ReconciliationRunTrigger = "commit" | "schedule" | "manual";

export type ReconciliationRunResult = {
  runId: string;
  source: ReconciliationSource;
  dryRun: boolean;
  matched: number;
  matchedByReference: number;
  matchedByBatch: number;
  unmatchedLines: number;
  unmatchedMovements: number;
  exceptionsNew: number;
  exceptionsPersisting: number;
  exceptionsResolved: number;
  /** Days whose closing comparison was new or came out differently, recorded as a new version. */
  balanceComparisonsRecorded: number;
};

/** How far back the scheduled run recomputes days' closing comparisons (a commit: its own days). */
const comparisonRecomputeDays = 35;

class DryRunRollback extends Error {
  constructor(readonly result: ReconciliationRunResult) {
    super("dry run");
  }
}

/** One matching pass inside the caller's transaction (a commit runs it with its lines). */
export async function runReconciliationIn(
  tx: Tx,
  input: {
    source: ReconciliationSource;
    trigger: ReconciliationRunTrigger;
    dryRun: boolean;
    actor: string;
    /** A statement being committed: its new rows become lines in this pass. */
    statementId?: string | null;
  },
): Promise<ReconciliationRunResult & { linesAdded: number }> {
  await lockSource(tx, input.source);
  const runId = `run_${randomHex(10)}`;
  const windowSeconds = matchWindowSeconds[input.source];
  await insertRun(tx, { id: runId, source: input.source, trigger: input.trigger, dryRun: input.dryRun, startedBy: input.actor });
  const matching = await matchSource(tx, {
    source: input.source,
    windowSeconds,
    runId,
    actor: input.actor,
    statementId: input.statementId ?? null,
  });
  const exceptions = await mergeExceptions(tx, { source: input.source, windowSeconds, runId });
  const balanceComparisonsRecorded = await recordBalanceComparisons(tx, {
    source: input.source,
    runId,
    trigger: input.trigger,
    statementId: input.statementId ?? null,
    recentDays: comparisonRecomputeDays,
  });
  const result: ReconciliationRunResult = {
    runId,
    source: input.source,
    dryRun: input.dryRun,
    matched: matching.matchedByReference + matching.matchedByBatch,
    matchedByReference: matching.matchedByReference,
    matchedByBatch: matching.matchedByBatch,
    unmatchedLines: matching.lines,
    unmatchedMovements: matching.movements,
    exceptionsNew: exceptions.created,
    exceptionsPersisting: exceptions.persisting,
    exceptionsResolved: exceptions.resolved,
    balanceComparisonsRecorded,
  };
  const { runId: _id, source: _source, dryRun: _dry, ...counts } = result;
  await finishRun(tx, runId, counts);
  return { ...result, linesAdded: matching.linesAdded };
}

/**
 * Matches a source's unmatched statement lines with its clearing-account postings and brings
 * the exceptions queue up to date. A dry run does the same work and rolls it back, so it shows
 * exactly what a real run would do.
 */
export async function runReconciliation(options: {
  db: Db;
  source: ReconciliationSource;
  trigger: ReconciliationRunTrigger;
  dryRun?: boolean;
  actor: string;
  ip?: string | null;
}): Promise<ReconciliationRunResult> {
  const dryRun = options.dryRun ?? false;
  try {
    return await options.db.$transaction(
      async (tx) => {
        const { linesAdded: _none, ...result } = await runReconciliationIn(tx, {
          source: options.source,
          trigger: options.trigger,
          dryRun,
          actor: options.actor,
        });
        if (dryRun) throw new DryRunRollback(result);
        if (options.trigger === "manual") {
          await recordAudit(tx, {
            actor: options.actor,
            action: "reconciliation.run",
            target: `reconciliation_run:${result.runId}`,
            ip: options.ip ?? null,
            metadata: { source: options.source, matched: result.matched, exceptionsNew: result.exceptionsNew },
          });
        }
        return result;
      },
      { timeout: 300_000, maxWait: 30_000 },
    );
  } catch (error) {
    if (error instanceof DryRunRollback) return error.result;
    throw error;
  }
}

/** The scheduled pass: every source that has committed statements, in turn. */
export async function runScheduledReconciliation(db: Db): Promise<ReconciliationRunResult[]> {
  const results: ReconciliationRunResult[] = [];
  const reconciled = await sourcesWithStatements(db);
  for (const source of reconciliationSources.filter((s) => reconciled.has(s))) {
    results.push(await runReconciliation({ db, source, trigger: "schedule", actor: "system:reconciliation" }));
  }
  return results;
}
