import { describe, expect, it } from "vitest";
import {
  checkDarajaB2cResult,
  parseDarajaB2cResult,
  parseDarajaStatusResult,
  toWholeUnits,
  darajaCallbackTokenCheck,
} from "./daraja-callbacks";

const success = {
  Result: {
    ResultType: 0,
    ResultCode: 0,
    ResultDesc: "The service request is processed successfully.",
    OriginatorConversationID: "payout-1",
    ConversationID: "AG_20261124_abc",
    TransactionID: "NLJ41HAY6Q",
    ResultParameters: {
      ResultParameter: [
        { Key: "TransactionAmount", Value: 1500 },
        { Key: "TransactionReceipt", Value: "NLJ41HAY6Q" },
      ],
    },
  },
};

describe("Daraja callback parsing", () => {
  it("accepts a matching success and flags a wrong payout, conversation or amount", () => {
    const result = parseDarajaB2cResult(success);
    expect(result.outcome).toEqual({ kind: "paid", providerReference: "NLJ41HAY6Q" });
    const expected = { providerKey: "payout-1", amount: 150_000n, currency: "KES", conversationId: "AG_20261124_abc" };
    expect(checkDarajaB2cResult(result, expected)).toEqual({ ok: true });
    const wrong = checkDarajaB2cResult(result, { ...expected, providerKey: "payout-2", amount: 150_100n, conversationId: "AG_other" });
    expect(wrong.ok).toBe(false);
    expect(wrong.ok ? [] : wrong.problems).toHaveLength(3);
  });

  it("classifies failures: insufficient float final, system busy retryable", () => {
    const failure = (code: number | string) => ({ Result: { ...success.Result, ResultCode: code, ResultParameters: undefined } });
    expect(parseDarajaB2cResult(failure(1)).outcome).toMatchObject({ kind: "failed-final", code: "MPESA_1" });
    expect(parseDarajaB2cResult(failure(26)).outcome).toMatchObject({ kind: "retryable", code: "MPESA_26" });
  });

  it("reads a lone ResultParameter object, as Daraja sends one", () => {
    const body = { Result: { ...success.Result, ResultParameters: { ResultParameter: { Key: "TransactionAmount", Value: 1500 } } } };
    expect(parseDarajaB2cResult(body).amount).toBe(1500);
  });

  it("rejects bodies that are not Daraja results, naming the field", () => {
    expect(() => parseDarajaB2cResult({ hello: 1 })).toThrow(expect.objectContaining({ code: "VALIDATION_FAILED" }));
    expect(() => parseDarajaB2cResult({ Result: { ResultCode: 0 } })).toThrow(
      expect.objectContaining({ fields: [expect.objectContaining({ path: "Result.OriginatorConversationID" })] }),
    );
  });

  it("refuses a status result naming another payout than its URL", () => {
    const body = {
      Result: { ...success.Result, ResultParameters: { ResultParameter: [{ Key: "OriginatorConversationID", Value: "payout-9" }] } },
    };
    expect(() => parseDarajaStatusResult(body, "payout-1")).toThrow(expect.objectContaining({ code: "VALIDATION_FAILED" }));
  });

  it("compares callback tokens exactly", () => {
    expect(darajaCallbackTokenCheck("secret")("secret")).toBe(true);
    expect(darajaCallbackTokenCheck("secret")("secreT")).toBe(false);
    expect(darajaCallbackTokenCheck("secret")(undefined)).toBe(false);
    expect(darajaCallbackTokenCheck("")("")).toBe(false);
  });

  it("a token check made once compares every token it is given", () => {
    const matches = darajaCallbackTokenCheck("secret");
    expect([matches("secret"), matches("secreT"), matches(undefined), matches(null), matches(""), matches("secret")]).toEqual([
      true, false, false, false, false, true,
    ]);
    expect(darajaCallbackTokenCheck("")("")).toBe(false);
  });

  it("refuses a token that is a prefix, an extension or another text of the same bytes' length", () => {
    const matches = darajaCallbackTokenCheck("s3cr3t-tok");
    expect(matches("s3cr3t-to")).toBe(false);
    expect(matches("s3cr3t-tokk")).toBe(false);
    expect(matches("s3cr3t-tök")).toBe(false);
    expect(matches("s3cr3t-toq")).toBe(false);
    // A repeated query parameter reaches the handler as an array.
    expect(matches(["s3cr3t-tok", "x"] as unknown as string)).toBe(false);
    expect(darajaCallbackTokenCheck("tök")("tök")).toBe(true);
  });

  it("converts minor units to whole units only when exact", () => {
    expect(toWholeUnits(150_000n, "KES")).toBe(1500n);
    expect(toWholeUnits(150_001n, "KES")).toBeUndefined();
    expect(toWholeUnits(5_000n, "UGX")).toBe(5000n);
    expect(toWholeUnits(100n, "XXX")).toBeUndefined();
  });
});
