import { describe, expect, test } from "vitest";
import { describeDestination, destinationCurrencyMismatch, payoutDestinationInput } from "./payout-destination";

const parse = (value: unknown) => payoutDestinationInput.safeParse(value);

describe("payout destinations", () => {
  test("the spec's example number is a valid M-Pesa destination, and KES may go to it", () => {
    const result = parse({ type: "mpesa", account: "+255700123456" });
    expect(result.success).toBe(true);
    expect(destinationCurrencyMismatch(result.data!, "KES")).toBeNull();
  });

  test.each([
    ["0712345678", "E.164"],
    ["+2547123456", "E.164"],
    ["+447123456789", "unsupported country code +447"],
    ["+254812345678", "not a mobile number in KE"],
  ])("refuses %s naming the reason", (account, reason) => {
    const result = parse({ type: "mpesa", account });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path).toEqual(["account"]);
    expect(result.error!.issues[0]!.message).toContain(reason);
  });

  test("local currencies go only to numbers in their country; USD never to M-Pesa", () => {
    const tz = parse({ type: "mpesa", account: "+255712345678" }).data!;
    const ug = parse({ type: "mpesa", account: "+256712345678" }).data!;
    expect(destinationCurrencyMismatch(tz, "TZS")).toBeNull();
    expect(destinationCurrencyMismatch(ug, "UGX")).toBeNull();
    expect(destinationCurrencyMismatch(tz, "UGX")).toContain("UGX M-Pesa payout must go to a UGX number");
    expect(destinationCurrencyMismatch(ug, "USD")).toContain("mpesa payouts are paid in");
  });

  test("Stripe needs a connected account id; bank needs holder, number and bank code", () => {
    expect(parse({ type: "stripe", account: "acct_1AbCdEfGh" }).success).toBe(true);
    expect(parse({ type: "stripe", account: "cus_123456" }).success).toBe(false);
    const bank = parse({ type: "bank", account: "0123 4567 89", accountName: "Amina W.", bankCode: "kcbl" });
    expect(bank.success).toBe(true);
    expect(bank.data).toMatchObject({ account: "0123456789", bankCode: "KCBL" });
    expect(describeDestination(bank.data!)).toBe("KCBL ••••6789");
    const missing = parse({ type: "bank", account: "0123456789" });
    expect(missing.error!.issues.map((i) => i.path.join("."))).toEqual(["accountName", "bankCode"]);
  });

  test("an unknown type names the field", () => {
    const result = parse({ type: "paypal", account: "x" });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.message).toContain('"mpesa", "stripe" or "bank"');
  });
});
