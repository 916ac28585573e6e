import { expect, test } from "vitest";
import { csvCell } from "./csv";

test("issue #23 row 15: cells a spreadsheet would evaluate stay text", () => {
  expect(csvCell("=HYPERLINK(\"http://evil\")")).toBe(`"'=HYPERLINK(""http://evil"")"`);
  expect(csvCell("+1+cmd")).toBe("'+1+cmd");
  expect(csvCell("-1+1")).toBe("'-1+1");
  expect(csvCell("@SUM(A1)")).toBe("'@SUM(A1)");
  expect(csvCell("\tx")).toBe("'\tx");
  expect(csvCell("\rx")).toBe(`"'\rx"`);
});

test("numbers, negative ones included, and ordinary text are unchanged", () => {
  expect(csvCell("-250000")).toBe("-250000");
  expect(csvCell("-2500.50")).toBe("-2500.50");
  expect(csvCell("user:u1:wallet:KES")).toBe("user:u1:wallet:KES");
  expect(csvCell("a,b")).toBe(`"a,b"`);
  expect(csvCell(null)).toBe("");
  expect(csvCell(12)).toBe("12");
});
