import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { createPayoutRails } from "./payout-rails";

describe("createPayoutRails", () => {
  it("picks the rail by destination type and names destination.type when one is not configured", () => {
    const rails = createPayoutRails({ stripe: new Stripe("sk_test_unused") });
    expect(rails.forDestination("stripe").name).toBe("stripe");
    expect(rails.forDestination("bank").name).toBe("bank");
    expect(() => rails.forDestination("mpesa")).toThrow(
      expect.objectContaining({ code: "VALIDATION_FAILED", fields: [expect.objectContaining({ path: "destination.type" })] }),
    );
  });
});
