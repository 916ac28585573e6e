import { expect, test } from "vitest";
import { countWords } from "./narrative";

test("words are runs of non-space characters, in any script", () => {
  expect(countWords("")).toBe(0);
  expect(countWords("   ")).toBe(0);
  expect(countWords("maize  arrived\nspoiled")).toBe(3);
  expect(countWords("mahindi yameharibika — kabisa")).toBe(4);
});
