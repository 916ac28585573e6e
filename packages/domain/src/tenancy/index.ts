export * from "./partners";
export * from "./tenant-access";
