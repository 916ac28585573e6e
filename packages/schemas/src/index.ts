export * from "./spec-examples";
