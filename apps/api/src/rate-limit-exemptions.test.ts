import { describe, expect, test } from "vitest";
import { exemptFromRateLimit } from "./app";

describe("exemptFromRateLimit", () => {
  test("probes and provider callbacks are never throttled, whatever their query string", () => {
    expect(exemptFromRateLimit("/healthz")).toBe(true);
    expect(exemptFromRateLimit("/readyz")).toBe(true);
    expect(exemptFromRateLimit("/payments/mpesa/b2c/result?token=abc")).toBe(true);
    expect(exemptFromRateLimit("/payments/mpesa/status/result?token=abc&payoutId=p1")).toBe(true);
    expect(exemptFromRateLimit("/payments/stripe/webhook")).toBe(true);
  });

  test("everything partners and staff call is counted", () => {
    expect(exemptFromRateLimit("/payouts")).toBe(false);
    expect(exemptFromRateLimit("/deposit")).toBe(false);
    expect(exemptFromRateLimit("/payments/mpesa")).toBe(false);
    expect(exemptFromRateLimit("/trpc/deposits.list")).toBe(false);
    expect(exemptFromRateLimit("/healthz/../payouts")).toBe(false);
  });
});
