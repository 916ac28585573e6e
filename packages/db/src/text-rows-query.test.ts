import { describe, expect, test } from "vitest";
import {
  booleanArrayLiteral,
  booleanFromText,
  extendedQueryMessages,
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

describe("extendedQueryMessages", () => {
  const execute = [0x45, 0, 0, 0, 9, 0, 0, 0, 0, 0];
  const sync = [0x53, 0, 0, 0, 4];
  const bytes = (text: string) => [...Buffer.from(text, "utf8")];
  const int32 = (n: number) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];

  test("Bind (text formats, NULL as -1, UTF-8 lengths in bytes), Execute and Sync", () => {
    const bindBody = [0, ...bytes("s1"), 0, 0, 0, 0, 2, ...int32(2), ...bytes("é"), ...int32(-1), 0, 0];
    expect([...extendedQueryMessages("s1", undefined, ["é", null])])
      .toEqual([0x42, ...int32(4 + bindBody.length), ...bindBody, ...execute, ...sync]);
  });

  test("Parse first when the connection has not parsed the statement", () => {
    const parseBody = [...bytes("s1"), 0, ...bytes("select $1"), 0, 0, 0];
    const bindBody = [0, ...bytes("s1"), 0, 0, 0, 0, 1, ...int32(1), ...bytes("x"), 0, 0];
    expect([...extendedQueryMessages("s1", "select $1", ["x"])]).toEqual([
      0x50, ...int32(4 + parseBody.length), ...parseBody,
      0x42, ...int32(4 + bindBody.length), ...bindBody,
      ...execute, ...sync,
    ]);
  });
});
