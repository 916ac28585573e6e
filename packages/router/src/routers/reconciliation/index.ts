import { router } from "../../trpc";
import { assignExceptionsProcedure } from "./assign-exceptions";
import { listBankMappingsProcedure } from "./list-bank-mappings";
import { saveBankMappingProcedure } from "./save-bank-mapping";
import { commentOnExceptionProcedure } from "./comment-on-exception";
import { listExceptionCommentsProcedure } from "./list-exception-comments";
import { commitStatementProcedure } from "./commit-statement";
import { getDailyReportProcedure } from "./get-daily-report";
import { getExceptionProcedure } from "./get-exception";
import { getStatementProcedure } from "./get-statement";
import { listBalanceComparisonsProcedure } from "./list-balance-comparisons";
import { listExceptionsProcedure } from "./list-exceptions";
import { listRunsProcedure } from "./list-runs";
import { listStatementsProcedure } from "./list-statements";
import { resolveExceptionsProcedure } from "./resolve-exceptions";
import { runReconciliationProcedure } from "./run-reconciliation";

export const reconciliationRouter = router({
  listStatements: listStatementsProcedure,
  getStatement: getStatementProcedure,
  commitStatement: commitStatementProcedure,
  runReconciliation: runReconciliationProcedure,
  listRuns: listRunsProcedure,
  listExceptions: listExceptionsProcedure,
  getException: getExceptionProcedure,
  resolveExceptions: resolveExceptionsProcedure,
  assignExceptions: assignExceptionsProcedure,
  commentOnException: commentOnExceptionProcedure,
  listExceptionComments: listExceptionCommentsProcedure,
  getDailyReport: getDailyReportProcedure,
  listBalanceComparisons: listBalanceComparisonsProcedure,
  saveBankMapping: saveBankMappingProcedure,
  listBankMappings: listBankMappingsProcedure,
});
