export * from "./system/system-status";
export * from "./demo/seed-demo-data";
