import { expect, test } from "vitest";
import { PHASE_PRODUCTION_SERVER } from "next/constants";
import config from "../next.config";

test("issue #23 row 15: every dashboard page is sent with CSP, X-Frame-Options and Referrer-Policy", async () => {
  const rules = await config(PHASE_PRODUCTION_SERVER).headers!();
  const all = rules.find((rule) => rule.source === "/:path*");
  const headers = Object.fromEntries((all?.headers ?? []).map((h) => [h.key.toLowerCase(), h.value]));
  expect(headers["x-frame-options"]).toBe("DENY");
  expect(headers["referrer-policy"]).toBe("same-origin");
  expect(headers["content-security-policy"]).toMatch(/frame-ancestors 'none'/);
  expect(headers["content-security-policy"]).toMatch(/object-src 'none'/);
});
