import { describe, expect, it } from "vitest";
import { describeFailure } from "./failure-reason";

describe("describeFailure", () => {
  it("maps a known M-Pesa result code to a plain reason and keeps the raw answer", () => {
    const raw = "MPESA_2040: Credit Party customer type (Unregistered or Registered Customer) can't be supported by the service.";
    expect(describeFailure(raw)).toEqual({
      reason: "The phone number is not registered for M-Pesa: ask the producer for a number that is.",
      code: "MPESA_2040",
      raw,
    });
  });

  it("keeps the provider's text for an unknown code", () => {
    expect(describeFailure("MPESA_9999: Something new")).toEqual({ reason: "Something new", code: "MPESA_9999", raw: "MPESA_9999: Something new" });
  });

  it("passes free text (e.g. a cancellation reason) through", () => {
    expect(describeFailure("producer asked to stop")).toEqual({ reason: "producer asked to stop", code: null, raw: "producer asked to stop" });
    expect(describeFailure(null)).toBeNull();
  });
});
