export * from "./system/system-status";
export * from "./demo/seed-demo-data";
export * from "./events/emit-domain-event";
export * from "./contracts";
export * from "./ledger/index";
