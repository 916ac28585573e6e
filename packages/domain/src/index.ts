export * from "./system/system-status";
export * from "./demo/seed-demo-data";
export * from "./events/emit-domain-event";
export * from "./deposits";
