import { expect, test } from "vitest";
import { dispatchDelayMs } from "./notification-dispatcher";

test("a wake-up after a quiet spell dispatches after the short gathering delay", () => {
  expect(dispatchDelayMs({ sinceLastStartMs: Number.POSITIVE_INFINITY, gatherMs: 20, minIntervalMs: 100 })).toBe(20);
  expect(dispatchDelayMs({ sinceLastStartMs: 5_000, gatherMs: 20, minIntervalMs: 100 })).toBe(20);
});

test("wake-ups under a steady stream wait for the minimum interval since the last dispatch began", () => {
  expect(dispatchDelayMs({ sinceLastStartMs: 5, gatherMs: 20, minIntervalMs: 100 })).toBe(95);
  expect(dispatchDelayMs({ sinceLastStartMs: 70, gatherMs: 20, minIntervalMs: 100 })).toBe(30);
  expect(dispatchDelayMs({ sinceLastStartMs: 90, gatherMs: 20, minIntervalMs: 100 })).toBe(20);
});
