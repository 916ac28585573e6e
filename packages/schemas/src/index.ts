export * from "./pagination";
export * from "./spec-examples";
export * from "./outputs";
export * from "./deposits";
export * from "./mpesa";
