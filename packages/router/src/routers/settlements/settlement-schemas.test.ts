import { expect, test } from "vitest";
import { groupByInput, periodInput } from "./settlement-schemas";

test("groupBy accepts the REST comma form and the tRPC array form, and names bad values", () => {
  expect(groupByInput.parse("producer,day")).toEqual(["producer", "day"]);
  expect(groupByInput.parse(["day"])).toEqual(["day"]);
  expect(groupByInput.parse("")).toEqual([]);
  expect(groupByInput.safeParse("week").error?.issues[0]?.message).toContain('unknown grouping "week"');
});

test("periods take dates (UTC midnight) or date-times, and name the bad field", () => {
  const period = periodInput.parse({ from: "2026-03-01", to: "2026-03-02T06:00:00+03:00" });
  expect(period.from.toISOString()).toBe("2026-03-01T00:00:00.000Z");
  expect(period.to.toISOString()).toBe("2026-03-02T03:00:00.000Z");
  const bad = periodInput.safeParse({ from: "yesterday", to: "2026-03-02" });
  expect(bad.error?.issues[0]?.path).toEqual(["from"]);
});
