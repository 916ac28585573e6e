export * from "./pagination";
export * from "./spec-examples";
