/* eslint-disable @typescript-eslint/no-explicit-any -- reads untyped JSON responses */
import { createPartner } from "@agrinet/domain";
import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createTestCredentials } from "../testing/credentials";
import type { ExampleState } from "./testing/example-router";
import { buildTestApp } from "./testing/test-app";

let database: TestDatabase;
let fastify: FastifyInstance;
let state: ExampleState;

beforeAll(async () => {
  database = await createTestDatabase();
  ({ fastify, state } = await buildTestApp(database, { corsOrigins: ["https://partner.example.org"], restBodyLimit: 4096 }));
});

afterAll(async () => {
  await fastify?.close();
  await database?.drop();
});

const transfer = { userId: "user_buyer1", amount: 250000, currency: "KES", reference: "REF-1" };

function post(url: string, payload: unknown, headers: Record<string, string> = {}) {
  return fastify.inject({ method: "POST", url, payload: JSON.stringify(payload), headers: { "content-type": "application/json", ...headers } });
}

function expectEnvelope(response: { statusCode: number; json(): any; headers: Record<string, unknown> }, status: number, code: string) {
  expect(response.statusCode).toBe(status);
  const body = response.json();
  expect(Object.keys(body)).toEqual(["error"]);
  expect(body.error).toMatchObject({ code, message: expect.any(String), fields: expect.any(Array), requestId: expect.any(String) });
  expect(body.error.requestId).toBe(response.headers["x-request-id"]);
  return body.error as { code: string; message: string; fields: { path: string; message: string }[] };
}

test("GET /api/v1/system/status serves system.getStatus", async () => {
  const response = await fastify.inject({ method: "GET", url: "/api/v1/system/status" });
  expect(response.statusCode).toBe(200);
  expect(response.json()).toMatchObject({ database: "ok", migrations: "ok" });
});

describe("POST bodies and bigint amounts", () => {
  test("a JSON integer amount comes back as a string", async () => {
    const response = await post("/api/v1/examples/transfers", transfer);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ amount: "250000", currency: "KES", reference: "REF-1" });
  });

  test("a string of digits is accepted, beyond JSON's safe integers, exactly", async () => {
    const response = await post("/api/v1/examples/transfers", { ...transfer, reference: "REF-2", amount: "9007199254740993" });
    expect(response.statusCode).toBe(200);
    expect(response.json().amount).toBe("9007199254740993");
  });

  test.each([
    ["negative", -5],
    ["zero", 0],
    ["a fraction", 12.5],
    // eslint-disable-next-line no-loss-of-precision -- the point: a JSON number past 2^53
    ["an unsafe JSON number", 9007199254740993],
    ["a decimal string", "12.50"],
    ["beyond bigint", "99999999999999999999"],
    ["a boolean", true],
  ])("%s amount → 400 naming the field", async (_label, amount) => {
    const response = await post("/api/v1/examples/transfers", { ...transfer, reference: "REF-X", amount });
    const error = expectEnvelope(response, 400, "VALIDATION_FAILED");
    expect(error.fields.map((field) => field.path)).toContain("amount");
  });

  test("missing fields are each named", async () => {
    const error = expectEnvelope(await post("/api/v1/examples/transfers", {}), 400, "VALIDATION_FAILED");
    expect(error.fields.map((f) => f.path).sort()).toEqual(["amount", "currency", "reference", "userId"]);
  });

  test("a body that is not an object → 400", async () => {
    expectEnvelope(await post("/api/v1/examples/transfers", [transfer]), 400, "VALIDATION_FAILED");
    expectEnvelope(await post("/api/v1/examples/transfers", "text"), 400, "VALIDATION_FAILED");
    expectEnvelope(await post("/api/v1/examples/transfers", null), 400, "VALIDATION_FAILED");
  });

  test("domain errors keep their status, code and fields", async () => {
    const error = expectEnvelope(await post("/api/v1/examples/transfers", transfer), 409, "DUPLICATE_REFERENCE");
    expect(error.fields).toEqual([{ path: "reference", message: "already used" }]);
    expectEnvelope(await post("/api/v1/examples/transfers", { ...transfer, reference: "DECLINE-1" }), 402, "PAYMENT_DECLINED");
  });

  test("a POST without input takes no body, with or without a JSON content type", async () => {
    const before = state.runs;
    const response = await fastify.inject({ method: "POST", url: "/api/v1/examples/run" });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ runs: before + 1 });
    const typed = await fastify.inject({ method: "POST", url: "/api/v1/examples/run", headers: { "content-type": "application/json" } });
    expect(typed.json()).toEqual({ runs: before + 2 });
  });

  test("prototype-poisoning keys are refused", async () => {
    const response = await fastify.inject({
      method: "POST",
      url: "/api/v1/examples/transfers",
      payload: '{"userId":"u","amount":1,"currency":"KES","reference":"P","__proto__":{"admin":true}}',
      headers: { "content-type": "application/json" },
    });
    expectEnvelope(response, 400, "VALIDATION_FAILED");
  });
});

describe("path parameters and query strings", () => {
  test("the path parameter reaches the procedure and wins over the body", async () => {
    const created = (await post("/api/v1/examples/transfers", { ...transfer, reference: "REF-P" })).json();
    const response = await post(`/api/v1/examples/transfers/${created.id}/confirm`, { confirmedBy: "admin_ops", transferId: "other" });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ id: created.id, confirmedBy: "admin_ops" });
  });

  test("an unknown id → 404 envelope", async () => {
    expectEnvelope(await post("/api/v1/examples/transfers/nope/confirm", { confirmedBy: "x" }), 404, "NOT_FOUND");
  });

  test("GET takes its input from the query string", async () => {
    const response = await fastify.inject({ method: "GET", url: "/api/v1/examples/transfers?userId=user_buyer1&limit=1" });
    expect(response.statusCode).toBe(200);
    expect(response.json().items).toHaveLength(1);
    const error = expectEnvelope(await fastify.inject({ method: "GET", url: "/api/v1/examples/transfers?limit=abc" }), 400, "VALIDATION_FAILED");
    expect(error.fields.map((f) => f.path).sort()).toEqual(["limit", "userId"]);
  });
});

describe("unknown and repeated parameters are refused, naming them", () => {
  test("a misspelt body field → 400 naming it, and nothing happens", async () => {
    const before = state.effects;
    const error = expectEnvelope(await post("/api/v1/examples/transfers", { ...transfer, reference: "REF-U", ammount: 250000 }), 400, "VALIDATION_FAILED");
    expect(error.fields).toContainEqual({ path: "ammount", message: "unknown parameter" });
    expect(state.effects).toBe(before);
  });

  test("an unknown nested key is named by its path; records still take any key", async () => {
    const ok = await post("/api/v1/examples/transfers", { ...transfer, reference: "REF-N", metadata: { anything: "x" } });
    expect(ok.statusCode).toBe(200);
    const error = expectEnvelope(
      await post("/api/v1/examples/transfers/nope/confirm", { confirmedBy: "x", extra: { deep: 1 } }),
      400,
      "VALIDATION_FAILED",
    );
    expect(error.fields.map((f) => f.path)).toEqual(["extra"]);
  });

  test("an unknown query parameter → 400 (a filter that does not exist is not silently dropped)", async () => {
    const error = expectEnvelope(
      await fastify.inject({ method: "GET", url: "/api/v1/examples/transfers?userId=user_buyer1&consumerId=x" }),
      400,
      "VALIDATION_FAILED",
    );
    expect(error.fields).toEqual([{ path: "consumerId", message: "unknown parameter" }]);
  });

  test("a repeated query parameter → 400 naming it", async () => {
    const error = expectEnvelope(
      await fastify.inject({ method: "GET", url: "/api/v1/examples/transfers?userId=a&userId=b" }),
      400,
      "VALIDATION_FAILED",
    );
    expect(error.fields).toEqual([{ path: "userId", message: "query parameter given more than once" }]);
  });

  test("a query string on a body operation, or input to one that takes none → 400", async () => {
    const query = expectEnvelope(await post("/api/v1/examples/transfers?dryRun=1", { ...transfer, reference: "REF-Q" }), 400, "VALIDATION_FAILED");
    expect(query.fields.map((f) => f.path)).toEqual(["dryRun"]);
    const none = expectEnvelope(await post("/api/v1/examples/run", { force: true }), 400, "VALIDATION_FAILED");
    expect(none.fields.map((f) => f.path)).toEqual(["force"]);
    const status = expectEnvelope(await fastify.inject({ method: "GET", url: "/api/v1/system/status?verbose=1" }), 400, "VALIDATION_FAILED");
    expect(status.fields.map((f) => f.path)).toEqual(["verbose"]);
  });

  test("tRPC refuses unknown keys the same way", async () => {
    const response = await fastify.inject({
      method: "POST",
      url: "/trpc/example.createTransfer",
      payload: JSON.stringify({ ...transfer, reference: "REF-T", ammount: 1 }),
      headers: { "content-type": "application/json" },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.data).toMatchObject({ code: "VALIDATION_FAILED", fields: [{ path: "ammount", message: "unknown parameter" }] });
  });
});

describe("transport errors share the envelope", () => {
  test("malformed JSON → 400", async () => {
    const response = await fastify.inject({
      method: "POST",
      url: "/api/v1/examples/transfers",
      payload: '{"userId": "u",',
      headers: { "content-type": "application/json" },
    });
    const error = expectEnvelope(response, 400, "VALIDATION_FAILED");
    expect(error.fields).toEqual([{ path: "(body)", message: "malformed JSON" }]);
  });

  test("unknown route → 404 with a request id", async () => {
    expectEnvelope(await fastify.inject({ method: "GET", url: "/no/such/route" }), 404, "NOT_FOUND");
    expectEnvelope(await fastify.inject({ method: "DELETE", url: "/api/v1/system/status" }), 404, "NOT_FOUND");
  });

  test("a malformed URL or an over-long path parameter → 400, still in the envelope", async () => {
    expectEnvelope(await post("/api/v1/examples/transfers/%ZZ/confirm", { confirmedBy: "x" }), 400, "VALIDATION_FAILED");
    expectEnvelope(await post(`/api/v1/examples/transfers/${"9".repeat(300)}/confirm`, { confirmedBy: "x" }), 400, "VALIDATION_FAILED");
  });

  test("a body over the limit → 413", async () => {
    const response = await post("/api/v1/examples/transfers", { ...transfer, metadata: { note: "x".repeat(5000) } });
    expectEnvelope(response, 413, "PAYLOAD_TOO_LARGE");
  });

  test.each(["text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"])(
    "a %s body → 415",
    async (contentType) => {
      const response = await fastify.inject({
        method: "POST",
        url: "/api/v1/examples/transfers",
        payload: "userId=u",
        headers: { "content-type": contentType },
      });
      expectEnvelope(response, 415, "UNSUPPORTED_MEDIA_TYPE");
    },
  );

  test("headers over Node's limit → 431, in the envelope (answered before any route runs)", async () => {
    const { fastify: served } = await buildTestApp(database);
    try {
      const address = await served.listen({ host: "127.0.0.1", port: 0 });
      const response = await fetch(`${address}/api/v1/system/status`, { headers: { cookie: `x=${"a".repeat(64 * 1024)}` } });
      expect(response.status).toBe(431);
      const body = (await response.json()) as { error: { requestId: string } };
      expect(body).toEqual({ error: { code: "HEADERS_TOO_LARGE", message: expect.any(String), fields: [], requestId: expect.any(String) } });
      expect(response.headers.get("x-request-id")).toBe(body.error.requestId);
    } finally {
      await served.close();
    }
  });

  test("a 500 reveals nothing internal", async () => {
    const response = await post("/api/v1/examples/transfers", { ...transfer, reference: "CRASH" });
    const error = expectEnvelope(response, 500, "INTERNAL");
    expect(error.message).toBe("internal error");
    expect(response.body).not.toMatch(/ECONNREFUSED|hunter2|10\.0\.0\.7|stack/);
  });

  test("a caller's x-request-id is echoed in the envelope", async () => {
    const response = await fastify.inject({ method: "GET", url: "/nowhere", headers: { "x-request-id": "req-abc" } });
    expect(response.headers["x-request-id"]).toBeDefined();
    expect(response.json().error.requestId).toBe(response.headers["x-request-id"]);
  });
});

describe("CORS", () => {
  test("a configured partner origin is allowed, with the idempotency and key headers", async () => {
    const response = await fastify.inject({
      method: "OPTIONS",
      url: "/api/v1/examples/transfers",
      headers: { origin: "https://partner.example.org", "access-control-request-method": "POST", "access-control-request-headers": "idempotency-key,x-api-key" },
    });
    expect(response.statusCode).toBeLessThan(300);
    expect(response.headers["access-control-allow-origin"]).toBe("https://partner.example.org");
    expect(String(response.headers["access-control-allow-headers"])).toMatch(/idempotency-key/);
  });

  test("any other origin gets no CORS grant", async () => {
    const response = await fastify.inject({ method: "GET", url: "/api/v1/system/status", headers: { origin: "https://evil.example.com" } });
    expect(response.headers["access-control-allow-origin"]).toBeUndefined();
  });

  test("without CORS_ORIGINS no origin gets a grant: a preflight is the 404 envelope, a request carries no CORS headers", async () => {
    const noCors = await buildTestApp(database);
    try {
      const preflight = await noCors.fastify.inject({
        method: "OPTIONS",
        url: "/api/v1/examples/transfers",
        headers: { origin: "https://partner.example.org", "access-control-request-method": "POST" },
      });
      expectEnvelope(preflight, 404, "NOT_FOUND");
      const response = await noCors.fastify.inject({ method: "GET", url: "/api/v1/system/status", headers: { origin: "https://partner.example.org" } });
      expect(response.statusCode).toBe(200);
      expect(Object.keys(preflight.headers).concat(Object.keys(response.headers)).filter((h) => h.startsWith("access-control-"))).toEqual([]);
    } finally {
      await noCors.fastify.close();
    }
  });
});

describe("rate limits", () => {
  // Buckets belong to verified credentials only (issue #23 row 4): unverified ones count per IP.
  // A partner's keys share one (#21).
  const otherPartner = () => createPartner({ db: database.db, name: "Rate-limited elsewhere", actor: "system:test" }).then((p) => p.id);

  test("per credential: the 4th request in a minute → 429 with Retry-After; another partner's key is unaffected", async () => {
    const limited = await buildTestApp(database, { rateLimitPerMinute: 3 });
    try {
      const credentials = createTestCredentials({ fastify: limited.fastify, db: database.db });
      const keyA = await credentials.partner(["deposits:read", "payouts:read"]);
      const keyB = await credentials.partner(["deposits:read", "transactions:read"], "x-api-key", await otherPartner());
      const as = (headers: Record<string, string>) => limited.fastify.inject({ method: "GET", url: "/api/v1/system/status", headers });
      for (let i = 0; i < 3; i++) expect((await as(keyA)).statusCode).toBe(200);
      const throttled = await as(keyA);
      expectEnvelope(throttled, 429, "RATE_LIMITED");
      expect(Number(throttled.headers["retry-after"])).toBeGreaterThan(0);
      expect((await as(keyB)).statusCode).toBe(200);
      expect((await limited.fastify.inject({ method: "GET", url: "/healthz", headers: keyA })).statusCode).toBe(200);
    } finally {
      await limited.fastify.close();
    }
  });

  test("a partner key is one bucket whichever header carries it; another partner's key is unaffected", async () => {
    const limited = await buildTestApp(database, { rateLimitPerMinute: 3 });
    try {
      const credentials = createTestCredentials({ fastify: limited.fastify, db: database.db });
      const status = (headers: Record<string, string>) =>
        limited.fastify.inject({ method: "GET", url: "/api/v1/system/status", headers }).then((r) => r.statusCode);
      expect(await status(await credentials.partner(["deposits:read"]))).toBe(200);
      expect(await status(await credentials.partner(["deposits:read"], "bearer"))).toBe(200);
      expect(await status(await credentials.partner(["deposits:read"]))).toBe(200);
      const throttled = await limited.fastify.inject({
        method: "GET",
        url: "/api/v1/system/status",
        headers: await credentials.partner(["deposits:read"], "bearer"),
      });
      expectEnvelope(throttled, 429, "RATE_LIMITED");
      expect(await status(await credentials.partner(["payouts:read"], "x-api-key", await otherPartner()))).toBe(200);
    } finally {
      await limited.fastify.close();
    }
  });

  test("all keys of one partner share its bucket: a second key cannot add to the allowance; another partner's is unaffected", async () => {
    const limited = await buildTestApp(database, { rateLimitPerMinute: 3 });
    try {
      const credentials = createTestCredentials({ fastify: limited.fastify, db: database.db });
      const partnerId = await otherPartner();
      const status = (headers: Record<string, string>) =>
        limited.fastify.inject({ method: "GET", url: "/api/v1/system/status", headers }).then((r) => r.statusCode);
      const first = await credentials.partner(["deposits:read"], "x-api-key", partnerId);
      const second = await credentials.partner(["payouts:read"], "x-api-key", partnerId);
      expect(first["x-api-key"]).not.toBe(second["x-api-key"]);
      expect(await status(first)).toBe(200);
      expect(await status(second)).toBe(200);
      expect(await status(first)).toBe(200);
      expect(await status(second)).toBe(429);
      expect(await status(first)).toBe(429);
      expect(await status(await credentials.partner(["deposits:read"], "x-api-key", await otherPartner()))).toBe(200);
      // The default partner's keys are their own partner's bucket too.
      expect(await status(await credentials.partner(["deposits:read"]))).toBe(200);
    } finally {
      await limited.fastify.close();
    }
  });
});
