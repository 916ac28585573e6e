export * from "./pagination";
export * from "./deposits";
export * from "./spec-examples";
