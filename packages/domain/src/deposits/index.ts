export * from "./create-deposit";
export * from "./confirm-deposit";
export * from "./fail-deposit";
export * from "./get-deposit";
export * from "./list-deposits";
export * from "./receipts";
export * from "./handle-stripe-event";
export { depositDestinationAccount } from "./deposit-ledger";
