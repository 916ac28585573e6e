import { DomainError } from "@agrinet/core";
import { expect, test } from "vitest";
import { z } from "zod";
import { rejectUnknownKeys, unknownInputKeys } from "./strict-input";

const deposit = z.object({ userId: z.string(), amount: z.number(), metadata: z.record(z.string(), z.string()).optional() });

test("keys the schema does not declare are named by path; records accept any key", () => {
  expect(unknownInputKeys(deposit, { userId: "u", ammount: 1, metadata: { anything: "x" } })).toEqual(["ammount"]);
  expect(unknownInputKeys(z.object({ nested: deposit }), { nested: { userId: "u", extra: 1 } })).toEqual(["nested.extra"]);
});

test("Object.prototype's names are unknown keys, not schemas to descend into", () => {
  expect(unknownInputKeys(z.object({}), JSON.parse('{"toString":{},"constructor":1,"__proto__":{}}'))).toEqual([
    "toString",
    "constructor",
    "__proto__",
  ]);
  expect(() => rejectUnknownKeys([deposit], { userId: "u", amount: 1, hasOwnProperty: {} })).toThrow(DomainError);
});

test("with several inputs a key is unknown only if none declares it", () => {
  const inputs = [z.object({ reference: z.string() }), z.object({ amount: z.number() })];
  expect(() => rejectUnknownKeys(inputs, { reference: "r", amount: 1 })).not.toThrow();
  expect(() => rejectUnknownKeys(inputs, { reference: "r", amount: 1, other: 2 })).toThrow(/other: unknown parameter/);
});
