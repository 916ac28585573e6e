import { describe, expect, test } from "vitest";
import { percentChange, successRate } from "./period-figures";

describe("period comparison", () => {
  test("change in integer tenths of a percent, signed", () => {
    expect(percentChange("112500", "100000")).toBe("+12.5%");
    expect(percentChange("97000", "100000")).toBe("−3.0%");
    expect(percentChange("100000", "100000")).toBe("±0.0%");
    expect(percentChange("5", "0")).toBe("new");
    expect(percentChange("0", "0")).toBe("no change");
    // Beyond float precision: still exact.
    expect(percentChange("18446744073709551616", "9223372036854775808")).toBe("+100.0%");
  });

  test("success rate: paid out of paid or failed, cancelled left out", () => {
    expect(successRate({ payoutsPaidCount: 199, payoutsFailedCount: 1 })).toBe("99.5%");
    expect(successRate({ payoutsPaidCount: 0, payoutsFailedCount: 0 })).toBe("—");
    expect(successRate({ payoutsPaidCount: 2, payoutsFailedCount: 1 })).toBe("66.6%");
  });
});
