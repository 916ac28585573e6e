export { startDarajaSandbox } from "./sandbox-server";
export type { DarajaSandbox, DarajaSandboxOptions, DarajaResultBody, SandboxPayment, SandboxStats } from "./sandbox-server";
export { outcomeBySubscriberNumber, outcomeForNumber, sandboxResultCodes } from "./outcomes";
export type { SandboxOutcome } from "./outcomes";
export { organisationStatementCsv, portalTime, statementColumns } from "./organisation-statement";
export type { StatementEntry } from "./organisation-statement";
export { stkOutcomeBySubscriberNumber, stkOutcomeForNumber, stkResultCodes } from "./collections-outcomes";
export type { StkOutcome } from "./collections-outcomes";
export type { SandboxC2bPayment, SandboxReversal, SandboxStkPayment } from "./collections";
