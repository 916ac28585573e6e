import { describe, expect, it } from "vitest";
import { parseProviderKey, providerKeyOf } from "./payout-rail";

describe("provider keys", () => {
  it("name the payout, and the attempt that opened a request sent after a final failure", () => {
    expect(providerKeyOf("po_0123abcd")).toBe("po_0123abcd");
    expect(providerKeyOf("po_0123abcd", 3)).toBe("po_0123abcd-a3");
    expect(parseProviderKey("po_0123abcd")).toEqual({ payoutId: "po_0123abcd", attempt: null });
    expect(parseProviderKey("po_0123abcd-a3")).toEqual({ payoutId: "po_0123abcd", attempt: 3 });
    expect(parseProviderKey("po_0123abcd-a12")).toEqual({ payoutId: "po_0123abcd", attempt: 12 });
    // Only a trailing -a<digits> is an attempt.
    expect(parseProviderKey("po_a1-x")).toEqual({ payoutId: "po_a1-x", attempt: null });
  });
});
