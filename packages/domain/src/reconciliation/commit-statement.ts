import { DomainError } from "@agrinet/core";
import type { Db } from "@agrinet/db";
import { recordAudit } from "../audit/record-audit";
import { statementPreview, type StatementPreview } from "./import-statement";
import { findStatement, lockSource, markStatementCommitted, setStatementLinesAdded } from "@agrinet/stores/reconciliation";
import { runReconciliationIn, type ReconciliationRunResult } from "./run-reconciliation";

/**
 * Adds a previewed statement's new lines (lines already known from an earlier statement are
 * skipped: same reference, amount, currency and occurrence) and runs the matching in the same
 * transaction. Committing a committed statement again changes nothing and answers the same.
 */
export async function commitStatement(options: {
  db: Db;
  statementId: string;
  actor: string;
  ip?: string | null;
}): Promise<{ statement: StatementPreview; run: ReconciliationRunResult | null }> {
  const run = await options.db.$transaction(
    async (tx) => {
      const statement = await findStatement(tx, options.statementId, true);
      if (!statement) {
        throw new DomainError("NOT_FOUND", `statement ${options.statementId} not found`, {
          fields: [{ path: "statementId", message: "not found" }],
        });
      }
      if (statement.status === "committed") return null;
      await lockSource(tx, statement.source);
      await markStatementCommitted(tx, statement.id, options.actor);
      const { linesAdded, ...run } = await runReconciliationIn(tx, {
        source: statement.source,
        trigger: "commit",
        dryRun: false,
        actor: options.actor,
        statementId: statement.id,
      });
      await setStatementLinesAdded(tx, statement.id, linesAdded);
      await recordAudit(tx, {
        actor: options.actor,
        action: "reconciliation.statement.committed",
        target: `reconciliation_statement:${statement.id}`,
        ip: options.ip ?? null,
        metadata: { source: statement.source, rows: statement.rowsParsed, linesAdded, sha256: statement.fileSha256 },
      });
      return run;
    },
    { timeout: 300_000, maxWait: 30_000 },
  );
  return { statement: await statementPreview(options.db, options.statementId), run };
}
