// What scripts/router-type.ts writes out: the router's procedures and its error shapes.
import type { AppRouter, ErrorData as RouterErrorData } from "@agrinet/router";

export type RouterRecord = AppRouter["_def"]["record"];
export type ErrorShape = AppRouter["_def"]["_config"]["$types"]["errorShape"];
export type ErrorData = RouterErrorData;
