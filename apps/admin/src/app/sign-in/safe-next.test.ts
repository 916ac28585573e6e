import { expect, test } from "vitest";
import { safeNextPath } from "./safe-next";

const origin = "http://127.0.0.1:3000";

test("issue #23 row 9: ?next= never leaves the dashboard, whatever the browser's URL parser strips", () => {
  for (const next of ["/\t/evil.example/phish", "/\n/evil.example", "/\r/evil.example", "//evil.example", "/\\evil.example", "https://evil.example/", "javascript:alert(1)", " //evil.example", "/\u0000/evil.example"]) {
    expect(safeNextPath(next, origin), JSON.stringify(next)).toBe("/");
  }
});

test("paths on this site come back as they were asked for", () => {
  expect(safeNextPath("/payouts?status=failed#top", origin)).toBe("/payouts?status=failed#top");
  expect(safeNextPath("/ledger", origin)).toBe("/ledger");
  expect(safeNextPath(null, origin)).toBe("/");
  expect(safeNextPath("", origin)).toBe("/");
});
