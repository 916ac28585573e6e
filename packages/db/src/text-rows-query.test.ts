import { describe, expect, test } from "vitest";
import {
  booleanArrayLiteral,
  booleanFromText,
  int8ArrayFromText,
  int8ArrayLiteral,
  int8FromText,
  textArrayLiteral,
} from "./text-rows-query";

describe("array literals", () => {
  test("text elements are quoted, quotes and backslashes escaped, NULL only for null", () => {
    expect(textArrayLiteral(["plain", 'say "hi"', "back\\slash", "a,b", "{x}", " spaced ", "", "NULL", null, "ünï ✓ 𝄞"]))
      .toBe('{"plain","say \\"hi\\"","back\\\\slash","a,b","{x}"," spaced ","","NULL",NULL,"ünï ✓ 𝄞"}');
    expect(textArrayLiteral([])).toBe("{}");
  });

  test("bigints and booleans need no quoting", () => {
    expect(int8ArrayLiteral([-9_223_372_036_854_775_808n, 0n, 9_007_199_254_740_993n]))
      .toBe("{-9223372036854775808,0,9007199254740993}");
    expect(int8ArrayLiteral([])).toBe("{}");
    expect(int8ArrayLiteral([1, 3, 5])).toBe("{1,3,5}");
    expect(booleanArrayLiteral([true, false])).toBe("{t,f}");
  });
});

describe("result text", () => {
  test("int8 arrays and scalars become exact bigints", () => {
    expect(int8ArrayFromText("{-9223372036854775808,0,9007199254740993}"))
      .toEqual([-9_223_372_036_854_775_808n, 0n, 9_007_199_254_740_993n]);
    expect(int8ArrayFromText("{}")).toEqual([]);
    expect(int8FromText("9007199254740993")).toBe(9_007_199_254_740_993n);
    expect(booleanFromText("t")).toBe(true);
    expect(booleanFromText("f")).toBe(false);
  });

  test("NULL where a value is expected is an error, not a zero", () => {
    expect(() => int8ArrayFromText(null)).toThrow(TypeError);
    expect(() => int8ArrayFromText("{1,NULL}")).toThrow(SyntaxError);
    expect(() => int8FromText(null)).toThrow(TypeError);
    expect(() => booleanFromText(null)).toThrow(TypeError);
  });
});
