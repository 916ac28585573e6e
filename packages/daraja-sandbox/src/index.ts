export { startDarajaSandbox } from "./sandbox-server";
export type { DarajaSandbox, DarajaSandboxOptions, DarajaResultBody, SandboxPayment, SandboxStats } from "./sandbox-server";
export { outcomeBySubscriberNumber, outcomeForNumber, sandboxResultCodes } from "./outcomes";
export type { SandboxOutcome } from "./outcomes";
export { organisationStatementCsv, portalTime, statementColumns } from "./organisation-statement";
export type { StatementEntry } from "./organisation-statement";
