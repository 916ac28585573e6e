import { expect, test } from "vitest";
import { isDatabaseUnavailable } from "./database-unavailable";

test("connection failures, restarts and pool timeouts are 'database unavailable'", () => {
  expect(isDatabaseUnavailable(new Error("timeout exceeded when trying to connect"))).toBe(true);
  expect(isDatabaseUnavailable(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }))).toBe(true);
  expect(isDatabaseUnavailable(Object.assign(new Error("terminating connection"), { code: "57P01" }))).toBe(true);
  expect(isDatabaseUnavailable(Object.assign(new Error("x"), { code: "P2028" }))).toBe(true);
  expect(isDatabaseUnavailable(Object.assign(new Error("wrapped"), { meta: { driverAdapterError: { cause: { kind: "DatabaseNotReachable" } } } }))).toBe(true);
  expect(isDatabaseUnavailable(new Error("outer", { cause: Object.assign(new Error("inner"), { code: "08006" }) }))).toBe(true);
  expect(isDatabaseUnavailable(new AggregateError([Object.assign(new Error(""), { code: "ECONNREFUSED" })]))).toBe(true);
});

test("query errors and bugs are not", () => {
  expect(isDatabaseUnavailable(new Error("boom"))).toBe(false);
  expect(isDatabaseUnavailable(Object.assign(new Error("unique"), { code: "P2002" }))).toBe(false);
  expect(isDatabaseUnavailable(Object.assign(new Error("deadlock"), { code: "40P01" }))).toBe(false);
  expect(isDatabaseUnavailable(null)).toBe(false);
});
