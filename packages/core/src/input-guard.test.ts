import { describe, expect, test } from "vitest";
import { assertStorableInput, findUnstorableInput, inputLimits } from "./input-guard";
import { DomainError } from "./errors";

describe("findUnstorableInput", () => {
  test("accepts ordinary input, emoji (surrogate pairs) included", () => {
    expect(findUnstorableInput({ reference: "dep-1", note: "maize 🌽", tags: ["a", "b"], n: 1, ok: true, none: null })).toBeNull();
    expect(findUnstorableInput(undefined)).toBeNull();
  });

  test("a NUL character in a value names the field path", () => {
    expect(findUnstorableInput({ reference: "a\u0000b" })).toEqual({ path: "reference", message: expect.stringMatching(/NUL/) });
    expect(findUnstorableInput({ metadata: { list: ["ok", "x\u0000"] } })?.path).toBe("metadata.list.1");
    expect(findUnstorableInput("a\u0000")?.path).toBe("(input)");
  });

  test("a NUL character in a key names the key", () => {
    expect(findUnstorableInput({ metadata: { "k\u0000ey": 1 } })?.path).toBe("metadata.k\\u0000ey");
  });

  test("lone UTF-16 surrogates are refused, high or low, anywhere in the string", () => {
    expect(findUnstorableInput({ narrative: "\ud800" })?.path).toBe("narrative");
    expect(findUnstorableInput({ narrative: "abc\udc00" })?.message).toMatch(/surrogate/);
    expect(findUnstorableInput({ narrative: "\ud83c" + "x" })?.path).toBe("narrative");
    expect(findUnstorableInput({ ["\udfff"]: "v" })).not.toBeNull();
  });

  test("nesting deeper than the limit is refused at the first level beyond it", () => {
    let deep: unknown = "leaf";
    for (let i = 0; i < 3000; i++) deep = { a: deep };
    const issue = findUnstorableInput({ metadata: deep });
    expect(issue?.message).toMatch(/nested/);
    expect(issue?.path.startsWith("metadata.a.a")).toBe(true);
    let ok: unknown = "leaf";
    for (let i = 0; i < inputLimits.maxDepth - 1; i++) ok = [ok];
    expect(findUnstorableInput(ok)).toBeNull();
  });

  test("more values than the limit are refused", () => {
    const wide = { metadata: Object.fromEntries(Array.from({ length: inputLimits.maxValues + 1 }, (_, i) => [`k${i}`, i])) };
    expect(findUnstorableInput(wide)?.path).toBe("metadata");
  });

  test("assertStorableInput throws a 400 DomainError naming the field", () => {
    expect(() => assertStorableInput({ userId: "a\u0000b" })).toThrow(DomainError);
    try {
      assertStorableInput({ userId: "a\u0000b" });
    } catch (error) {
      expect((error as DomainError).code).toBe("VALIDATION_FAILED");
      expect((error as DomainError).fields[0]?.path).toBe("userId");
      expect((error as DomainError).message).toMatch(/^userId: /);
    }
  });
});
