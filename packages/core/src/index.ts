export * from "./env";
export * from "./errors";
export * from "./money";
export * from "./ledger-kinds";
export * from "./payments-env";
export * from "./database-unavailable";
export * from "./random-hex";
export * from "./input-guard";
