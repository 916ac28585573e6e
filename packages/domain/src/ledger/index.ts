export * from "./account-codes";
export * from "./ledger-types";
export * from "./ledger-sql-errors";
export * from "./post-ledger-transaction";
export * from "./ledger-holds";
export * from "./ledger-balances";
