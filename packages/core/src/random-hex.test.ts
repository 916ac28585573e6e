import { expect, test } from "vitest";
import { randomHex } from "./random-hex";

test("gives hex of the asked length and never repeats across pool refills", () => {
  const seen = new Set<string>();
  // 12 bytes each: ~3 refills of the 4 KiB pool.
  for (let i = 0; i < 1_000; i++) {
    const hex = randomHex(12);
    expect(hex).toMatch(/^[0-9a-f]{24}$/);
    seen.add(hex);
  }
  expect(seen.size).toBe(1_000);
  expect(randomHex(5000)).toHaveLength(10_000);
});
