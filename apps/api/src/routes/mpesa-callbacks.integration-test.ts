import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { defaultPayoutSettings } from "@agrinet/router";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { buildTestApp } from "../rest/testing/test-app";
import { createTestCredentials } from "../testing/credentials";

// The callback routes skip hooks every other route runs (the rate limit, principal resolution
// without credentials): these check the callbacks' answers and that the others still apply.
let database: TestDatabase;
let fastify: FastifyInstance;
const callbackToken = "callback-token-0123456789";

beforeAll(async () => {
  database = await createTestDatabase();
  ({ fastify } = await buildTestApp(database, {
    rateLimitPerMinute: 1000,
    payouts: { settings: defaultPayoutSettings, rails: {}, mpesaCallbackToken: callbackToken, statusCheckAfterMs: 60_000 },
  }));
});

afterAll(async () => {
  await fastify?.close();
  await database?.drop();
});

const callback = (query: string, body: unknown = { Result: { ResultCode: 0, OriginatorConversationID: "po_unknown" } }) =>
  fastify.inject({ method: "POST", url: `/payments/mpesa/b2c/result${query}`, headers: { "content-type": "application/json" }, payload: JSON.stringify(body) });

describe("M-Pesa callback routes", () => {
  test("a missing, wrong, truncated or repeated token → 401 with Daraja's refusal body", async () => {
    for (const query of ["", "?token=wrong", `?token=${callbackToken.slice(0, -1)}`, `?token=${callbackToken}x`, `?token=${callbackToken}&token=${callbackToken}`]) {
      const response = await callback(query);
      expect(response.statusCode, query).toBe(401);
      expect(response.json()).toEqual({ ResultCode: 1, ResultDesc: "callback token missing or wrong" });
    }
  });

  test("the right token: a malformed result → 400, an unknown payout is acknowledged", async () => {
    const malformed = await callback(`?token=${callbackToken}`, { nothing: true });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toEqual({ ResultCode: 1, ResultDesc: expect.any(String) });
    // A body that is not JSON never reaches the handler: Fastify's refusal, in the REST envelope.
    const notJson = await fastify.inject({
      method: "POST",
      url: `/payments/mpesa/b2c/result?token=${callbackToken}`,
      headers: { "content-type": "application/json" },
      payload: "{not json",
    });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json()).toEqual({
      error: { code: "VALIDATION_FAILED", message: "request body is not valid JSON", fields: [{ path: "(body)", message: "malformed JSON" }], requestId: expect.any(String) },
    });
    const unknown = await callback(`?token=${callbackToken}`);
    expect(unknown.statusCode).toBe(200);
    expect(unknown.json()).toEqual({ ResultCode: 0, ResultDesc: "Accepted" });
  });

  test("callbacks are neither throttled nor counted; other requests from the same address still are", async () => {
    const limited = await buildTestApp(database, {
      rateLimitPerMinute: 3,
      payouts: { settings: defaultPayoutSettings, rails: {}, mpesaCallbackToken: callbackToken, statusCheckAfterMs: 60_000 },
    });
    try {
      const post = (url: string) => limited.fastify.inject({ method: "POST", url, headers: { "content-type": "application/json" }, payload: "{}" });
      for (let i = 0; i < 6; i++) {
        expect((await post(`/payments/mpesa/b2c/result?token=${callbackToken}`)).statusCode).toBe(400);
        expect((await post("/payments/mpesa/status/result?token=wrong")).statusCode).toBe(401);
      }
      const status = () => limited.fastify.inject({ method: "GET", url: "/api/v1/system/status" });
      for (let i = 0; i < 3; i++) expect((await status()).statusCode).toBe(200);
      const throttled = await status();
      expect(throttled.statusCode).toBe(429);
      expect(throttled.json()).toMatchObject({ error: { code: "RATE_LIMITED" } });
    } finally {
      await limited.fastify.close();
    }
  });

  test("requests with credentials are still resolved to their principal; without, they are anonymous", async () => {
    const credentials = createTestCredentials({ fastify, db: database.db });
    const list = (headers: Record<string, string>) => fastify.inject({ method: "GET", url: "/api/v1/deposits", headers }).then((r) => r.statusCode);
    expect(await list(await credentials.partner(["deposits:read"]))).toBe(200);
    expect(await list(await credentials.partner(["deposits:read"], "bearer"))).toBe(200);
    expect(await list(await credentials.staff("viewer"))).toBe(200);
    expect(await list({})).toBe(401);
    expect(await list({ "x-api-key": "not-a-key" })).toBe(401);
  });
});
