import { describe, expect, it } from "vitest";
import { parseStripeForm } from "./form-body";

describe("parseStripeForm", () => {
  it("decodes the SDK's bracketed keys into nested objects and arrays", () => {
    expect(
      parseStripeForm("amount=2500&metadata[depositId]=d%201&expand[0]=a&expand[1]=b&automatic_payment_methods[enabled]=true"),
    ).toEqual({ amount: "2500", metadata: { depositId: "d 1" }, expand: ["a", "b"], automatic_payment_methods: { enabled: "true" } });
  });
});
