export * from "./collections-settings";
export * from "./paybill-accounts";
export * from "./stk-deposits";
export * from "./stk-sweep";
export * from "./c2b-payments";
export * from "./unmatched-payments";

