import { expect, test } from "vitest";
import { sharedPerScrape } from "./metrics";

test("gauges collected together share one read; the next scrape reads again", async () => {
  let reads = 0;
  const rows = sharedPerScrape(async () => {
    reads += 1;
    await new Promise((resolve) => setTimeout(resolve, 5));
    return [reads];
  });
  const [first, second] = await Promise.all([rows(), rows()]);
  expect(reads).toBe(1);
  expect(second).toBe(first);
  expect(await rows()).toEqual([2]);
});
