export * from "./statement-types";
export * from "./statement-values";
export * from "./parse-mpesa-statement";
export * from "./parse-bank-statement";
export * from "./reconciliation-rules";
export * from "./import-statement";
export * from "./commit-statement";
export * from "./run-reconciliation";
export * from "./work-exceptions";
export * from "./daily-report";
export * from "./bank-mappings";
export * from "./record-provider-mismatch";
export {
  exceptionKinds,
  reconciliationExceptionStatuses,
  listExceptions,
  listComments,
  listRuns,
  listStatements,
  oldestOpenExceptionAges,
  type ExceptionKind,
  type ExceptionRecord,
  type ReconciliationExceptionStatus,
  type ExceptionFilters,
  type BalanceComparison,
  type ClearingPosting,
  type LineDetail,
  type RunRecord,
  type StatementRecord,
  type StatementTotals,
} from "@agrinet/stores/reconciliation";
export * from "./pull-stripe-statement";
export * from "./record-stripe-payout";
