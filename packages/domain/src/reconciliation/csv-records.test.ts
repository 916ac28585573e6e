import { expect, test } from "vitest";
import { csvRecords } from "./csv-records";

test("quoted fields, escaped quotes, CRLF and LF, a BOM, blank lines, ragged rows", () => {
  expect(csvRecords('\uFEFFa, b ,"c,1"\r\n\r\n"say ""hi""",2\nlast')).toEqual([["a", "b", "c,1"], ['say "hi"', "2"], ["last"]]);
  expect(csvRecords('x,"multi\nline",\n')).toEqual([["x", "multi\nline", ""]]);
  expect(csvRecords("")).toEqual([]);
  expect(csvRecords('"unterminated')).toEqual([["unterminated"]]);
});
