import { router } from "../../trpc";
import { assignExceptions } from "./assign-exceptions";
import { listBankMappings, saveBankMapping } from "./bank-mappings";
import { commentOnException, listExceptionComments } from "./comment-on-exception";
import { commitStatement } from "./commit-statement";
import { getDailyReport } from "./get-daily-report";
import { getException } from "./get-exception";
import { getStatement } from "./get-statement";
import { listBalanceComparisons } from "./list-balance-comparisons";
import { listExceptions } from "./list-exceptions";
import { listRuns } from "./list-runs";
import { listStatements } from "./list-statements";
import { resolveExceptions } from "./resolve-exceptions";
import { runReconciliation } from "./run-reconciliation";

export const reconciliationRouter = router({
  listStatements,
  getStatement,
  commitStatement,
  runReconciliation,
  listRuns,
  listExceptions,
  getException,
  resolveExceptions,
  assignExceptions,
  commentOnException,
  listExceptionComments,
  getDailyReport,
  listBalanceComparisons,
  saveBankMapping,
  listBankMappings,
});
