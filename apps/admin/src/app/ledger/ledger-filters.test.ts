import { describe, expect, test } from "vitest";
import { accountHref, filtersFromSearchParams, filtersToSearchParams } from "./ledger-filters";

describe("ledger filters in the URL", () => {
  test("round-trip the filters the list and the CSV export share", () => {
    const filters = {
      kind: "refund" as const,
      account: "user:user_buyer2:wallet:KES",
      currency: "KES" as const,
      partnerId: "partner_default",
      from: "2026-11-01T00:00:00.000Z",
      to: "2026-11-24T00:00:00.000Z",
    };
    expect(filtersFromSearchParams(filtersToSearchParams(filters))).toEqual(filters);
  });

  test("drop values the API would refuse, so a stale or edited link still loads", () => {
    const params = new URLSearchParams({ kind: "teleport", currency: "EUR", from: "yesterday", account: "  ", partnerId: "someone" });
    expect(filtersFromSearchParams(params)).toEqual({});
  });

  test("account pages keep the code in one path segment", () => {
    expect(accountHref("user:user_buyer1:wallet:KES")).toBe("/ledger/accounts/user%3Auser_buyer1%3Awallet%3AKES");
  });
});
