import { describe, expect, test } from "vitest";
import { EnvError, envVars, parseEnv } from "./env";
import { paymentsEnvShape } from "./payments-env";

describe("parseEnv", () => {
  test("applies the spec's defaults", () => {
    const env = parseEnv(paymentsEnvShape, {});
    expect(env.NTARI_LEDGER_ACCOUNT).toBe("ntari-platform");
    expect(env.DEPOSIT_MIN_AMOUNT).toBe(1000n);
    expect(env.PAYOUT_MIN_AMOUNT).toBe(500n);
    expect(env.STRIPE_KEY).toBeUndefined();
  });

  test("treats an empty value as unset", () => {
    expect(parseEnv(paymentsEnvShape, { STRIPE_KEY: "" }).STRIPE_KEY).toBeUndefined();
  });

  test("names each malformed variable and what it expects", () => {
    let caught: unknown;
    try {
      parseEnv(
        { API_PORT: envVars.port(4000), ...paymentsEnvShape },
        { API_PORT: "eighty", DEPOSIT_MIN_AMOUNT: "10.5", STRIPE_KEY: "pk_test_abc" },
      );
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EnvError);
    const issues = (caught as EnvError).issues;
    expect(issues.map((i) => i.variable).sort()).toEqual([
      "API_PORT",
      "DEPOSIT_MIN_AMOUNT",
      "STRIPE_KEY",
    ]);
    expect(issues.find((i) => i.variable === "DEPOSIT_MIN_AMOUNT")?.expected).toMatch(/minor units/);
  });

  test("a non-negative whole number takes 0 and refuses a negative or a fraction", () => {
    const shape = { DELAY_MS: envVars.nonNegativeInt(1500) };
    expect(parseEnv(shape, {}).DELAY_MS).toBe(1500);
    expect(parseEnv(shape, { DELAY_MS: "0" }).DELAY_MS).toBe(0);
    for (const bad of ["-1", "2.5"]) expect(() => parseEnv(shape, { DELAY_MS: bad })).toThrow(EnvError);
  });
});
