export * from "./pagination";
export * from "./deposits";
