import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { Money } from "./money";

function text(amount: string, currency: string) {
  return renderToStaticMarkup(createElement(Money, { amount, currency })).replace(/<[^>]+>/g, "");
}

describe("Money", () => {
  it("shows minor units with the currency's ISO 4217 decimals", () => {
    expect(text("250000", "KES")).toBe("KES 2,500.00");
    expect(text("5", "USD")).toBe("USD 0.05");
    expect(text("250000", "UGX")).toBe("UGX 250,000");
  });

  it("keeps amounts beyond float precision exact", () => {
    expect(text("9007199254740993", "KES")).toBe("KES 90,071,992,547,409.93");
  });

  it("shows negative amounts with a sign", () => {
    expect(text("-1050", "TZS")).toBe("TZS -10.50");
  });

  it("accepts a lower-case currency code", () => {
    expect(text("100", "kes")).toBe("KES 1.00");
  });

  it("shows what it cannot format as given and flags it instead of rounding", () => {
    const markup = renderToStaticMarkup(createElement(Money, { amount: "12.5", currency: "KES" }));
    expect(markup).toContain("12.5");
    expect(markup).toContain("unrecognised amount");
    expect(text("100", "XYZ")).toBe("XYZ 100");
  });
});
