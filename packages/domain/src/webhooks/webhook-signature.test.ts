import { expect, test } from "vitest";
import { signWebhookPayload, verifyWebhookSignature } from "./webhook-signature";

const body = JSON.stringify({ type: "payout.paid", data: { amount: "1000" } });

test("a signature verifies with the same secret and body", () => {
  const header = signWebhookPayload("whsec_a", 1_700_000_000, body);
  expect(header).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
  expect(verifyWebhookSignature({ header, body, secret: "whsec_a", nowSeconds: 1_700_000_010 })).toBe(true);
});

test("another secret, a changed body or an old timestamp fail", () => {
  const header = signWebhookPayload("whsec_a", 1_700_000_000, body);
  const now = 1_700_000_000;
  expect(verifyWebhookSignature({ header, body, secret: "whsec_b", nowSeconds: now })).toBe(false);
  expect(verifyWebhookSignature({ header, body: body + " ", secret: "whsec_a", nowSeconds: now })).toBe(false);
  expect(verifyWebhookSignature({ header, body, secret: "whsec_a", nowSeconds: now + 301 })).toBe(false);
  expect(verifyWebhookSignature({ header: "garbage", body, secret: "whsec_a", nowSeconds: now })).toBe(false);
});
