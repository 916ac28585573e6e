import { expect, test } from "vitest";
import { newDepositId } from "./create-deposit";

test("deposit ids keep their format: dep_ and 24 hex digits", () => {
  expect(newDepositId()).toMatch(/^dep_[0-9a-f]{24}$/);
});

test("a later deposit's id sorts after an earlier one's, so inserts append to the primary key", () => {
  const start = Date.UTC(2026, 10, 24, 12, 0, 0);
  const ids = Array.from({ length: 50 }, (_, i) => newDepositId(start + i));
  expect([...ids].sort()).toEqual(ids);
  expect(newDepositId(Date.UTC(2100, 0, 1))).toMatch(/^dep_[0-9a-f]{24}$/);
});

test("ids minted in the same millisecond differ", () => {
  const now = Date.now();
  expect(new Set(Array.from({ length: 1000 }, () => newDepositId(now))).size).toBe(1000);
});
