import { describe, expect, test } from "vitest";
import { currencyExponent, currencyInput, formatMinorUnits, minorUnitsInput, parseMajorUnits } from "./money";

describe("minorUnitsInput", () => {
  test("accepts JSON integers and digit strings as exact bigints", () => {
    expect(minorUnitsInput.parse(250000)).toBe(250000n);
    expect(minorUnitsInput.parse("9223372036854775807")).toBe(9223372036854775807n);
  });

  test.each([
    [1.5, /fraction/],
    [2 ** 60, /too large/],
    ["12.00", /digits/],
    ["1e5", /digits/],
    ["99999999999999999999", /digits|range/],
    [null, /integer amount/],
    [true, /integer amount/],
  ])("refuses %s", (value, message) => {
    const result = minorUnitsInput.safeParse(value);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(message);
  });
});

describe("currencies", () => {
  test("exponents come from ISO 4217", () => {
    expect(currencyExponent("KES")).toBe(2);
    expect(currencyExponent("UGX")).toBe(0);
  });

  test("codes are normalised and unsupported ones refused", () => {
    expect(currencyInput.parse("kes")).toBe("KES");
    expect(currencyInput.safeParse("XYZ").success).toBe(false);
  });

  test("formatting uses the currency's decimals", () => {
    expect(formatMinorUnits(250000n, "KES")).toBe("2,500.00");
    expect(formatMinorUnits(250000n, "UGX")).toBe("250,000");
    expect(formatMinorUnits(-5n, "USD")).toBe("-0.05");
  });
});

describe("parseMajorUnits", () => {
  test("major units as typed, to exact minor units", () => {
    expect(parseMajorUnits("2,500.50", "KES")).toBe(250050n);
    expect(parseMajorUnits("1000000", "KES")).toBe(100000000n);
    expect(parseMajorUnits("0.1", "USD")).toBe(10n);
    expect(parseMajorUnits("1500", "UGX")).toBe(1500n);
    expect(parseMajorUnits("0", "KES")).toBe(0n);
  });

  test("anything else is refused, never rounded", () => {
    for (const text of ["", "-5", "1.005", "1e6", "12,34", "abc", "1.5"]) {
      expect(parseMajorUnits(text, text === "1.5" ? "UGX" : "KES"), text).toBeNull();
    }
  });
});
