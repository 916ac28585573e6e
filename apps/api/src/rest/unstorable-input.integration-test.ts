// Issue #23, robustness: inputs PostgreSQL cannot store, or that no one should have to walk,
// answer 400 naming the field on every path (REST, tRPC, plain routes), never a 500.
import { partnerScopes } from "@agrinet/router";
import { describe, expect, test } from "vitest";
import { apiForFile } from "../testing/api-for-file";

// user_a is the default partner's (the test key's): these tests are about the input, not tenancy.
const api = apiForFile({
  app: { databaseUrl: undefined },
  beforeStart: async (db) => {
    await db.user.create({ data: { id: "user_a", partnerId: "partner_default" } });
  },
});

const partner = () => api.credentials.partner(partnerScopes);
const json = { "content-type": "application/json" };

function expectFieldError(response: { statusCode: number; json(): unknown; body: string }, path: string | RegExp) {
  expect(response.statusCode, response.body).toBe(400);
  const body = response.json() as { error: { code: string; fields: Array<{ path: string }> } };
  expect(body.error.code).toBe("VALIDATION_FAILED");
  expect(body.error.fields.map((f) => f.path)).toContainEqual(typeof path === "string" ? path : expect.stringMatching(path));
}

const deposit = (overrides: Record<string, unknown>) => ({
  userId: "user_nul",
  amount: 250000,
  currency: "KES",
  method: "mpesa",
  reference: `ref-${Math.random().toString(36).slice(2)}`,
  ...overrides,
});

describe("a NUL character (U+0000)", () => {
  test("in a deposit reference: 400 naming reference", async () => {
    const response = await api.fastify.inject({
      method: "POST",
      url: "/deposit",
      headers: { ...(await partner()), ...json },
      payload: deposit({ reference: "MPESA\u00001" }),
    });
    expectFieldError(response, "reference");
  });

  test("in metadata keys and values: 400 naming the metadata field", async () => {
    const headers = { ...(await partner()), ...json };
    const value = await api.fastify.inject({ method: "POST", url: "/deposit", headers, payload: deposit({ metadata: { note: "a\u0000" } }) });
    expectFieldError(value, "metadata.note");
    const key = await api.fastify.inject({ method: "POST", url: "/deposit", headers, payload: deposit({ metadata: { "n\u0000": "a" } }) });
    expectFieldError(key, /^metadata\.n/);
  });

  test("in a rating narrative and contract metadata", async () => {
    const headers = { ...(await partner()), ...json };
    const rating = await api.fastify.inject({
      method: "POST",
      url: "/submitRating",
      headers,
      payload: { contractId: "contract_x", raterRole: "consumer", rating: 3, narrative: "good\u0000", userId: "user_a" },
    });
    expectFieldError(rating, "narrative");
    const contract = await api.fastify.inject({
      method: "POST",
      url: "/contracts",
      headers,
      payload: { consumerId: "user_a", producerId: "user_b", currency: "KES", expectedAmount: 1000, metadata: { crop: "maize\u0000" } },
    });
    expectFieldError(contract, "metadata.crop");
  });

  test("in query parameters of REST lists and the notification stream", async () => {
    const headers = await partner();
    for (const url of ["/transactions?userId=a%00b", "/notifications?userId=a%00b", "/api/v1/payouts?userId=a%00b", "/notifications/stream?userId=a%00b"]) {
      const response = await api.fastify.inject({ method: "GET", url, headers });
      expectFieldError(response, "userId");
    }
  });

  test("in path ids", async () => {
    const headers = await partner();
    const get = await api.fastify.inject({ method: "GET", url: "/api/v1/deposits/dep%00x", headers });
    expectFieldError(get, "depositId");
    const confirm = await api.fastify.inject({ method: "POST", url: "/deposit/dep%00x/confirm", headers: { ...headers, ...json }, payload: {} });
    expectFieldError(confirm, "depositId");
  });

  test("over tRPC: 400 naming the field", async () => {
    const response = await api.fastify.inject({
      method: "POST",
      url: "/trpc/deposits.create",
      headers: { ...(await partner()), ...json },
      payload: deposit({ reference: "x\u0000" }),
    });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json().error.data.fields).toEqual([{ path: "reference", message: expect.stringMatching(/NUL/) }]);
  });
});

test("a lone UTF-16 surrogate: 400 naming the field", async () => {
  const response = await api.fastify.inject({
    method: "POST",
    url: "/deposit",
    headers: { ...(await partner()), ...json },
    // The raw JSON escape: JSON.stringify would keep it as "\ud800" too, but say it plainly.
    payload: `{"userId":"user_nul","amount":250000,"currency":"KES","method":"mpesa","reference":"r\\ud800"}`,
  });
  expectFieldError(response, "reference");
});

test("metadata nested 3,000 deep: 400 on /contracts and /deposit, nothing stored", async () => {
  let deep: unknown = "leaf";
  for (let i = 0; i < 3000; i++) deep = { a: deep };
  const headers = { ...(await partner()), ...json };
  const contract = await api.fastify.inject({
    method: "POST",
    url: "/contracts",
    headers,
    payload: JSON.stringify({ consumerId: "user_a", producerId: "user_b", currency: "KES", expectedAmount: 1000, metadata: deep }),
  });
  expectFieldError(contract, /^metadata\.a/);
  const reference = `deep-${Date.now()}`;
  const stored = await api.fastify.inject({ method: "POST", url: "/deposit", headers, payload: JSON.stringify(deposit({ reference, metadata: deep })) });
  expectFieldError(stored, /^metadata\.a/);
  expect(await api.database.db.deposit.count({ where: { reference } })).toBe(0);
});

test("metadata nested 3,000 deep with an Idempotency-Key: 400, not a stack overflow while fingerprinting", async () => {
  let deep: unknown = "leaf";
  for (let i = 0; i < 3000; i++) deep = { a: deep };
  const headers = { ...(await partner()), ...json, "idempotency-key": `deep-${Date.now()}` };
  const payload = JSON.stringify({ contractId: "contract_none", rating: 1, narrative: "n", metadata: deep });
  expectFieldError(await api.fastify.inject({ method: "POST", url: "/submitRating", headers, payload }), /^metadata\.a/);
  const overTrpc = await api.fastify.inject({ method: "POST", url: "/trpc/contracts.register", headers, payload: JSON.stringify({ metadata: deep }) });
  expect(overTrpc.statusCode, overTrpc.body).toBe(400);
  expect(overTrpc.body).toContain("nested deeper than");
});

test("a malformed multipart body on /api/v1/uploads/receipts: 400, not 500", async () => {
  const headers = await api.credentials.staff("operator");
  const boundary = "----agrinetboundary";
  for (const payload of [
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="r.png"\r\nContent-Type: image/png\r\n\r\n\x89PNG`,
    `garbage without any boundary`,
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="r.png"\r\n\r\n`,
  ]) {
    const response = await api.fastify.inject({
      method: "POST",
      url: "/api/v1/uploads/receipts",
      headers: { ...headers, "content-type": `multipart/form-data; boundary=${boundary}` },
      payload,
    });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json().error.code).toBe("VALIDATION_FAILED");
  }
});

describe("cursors beyond PostgreSQL's int8: 400 naming the cursor", () => {
  const tooLarge = "99999999999999999999";
  const justTooLarge = "9223372036854775808";

  test("transactions.list (REST and tRPC)", async () => {
    const headers = await partner();
    for (const cursor of [tooLarge, justTooLarge]) {
      const response = await api.fastify.inject({ method: "GET", url: `/transactions?userId=user_a&cursor=${cursor}`, headers });
      expectFieldError(response, "cursor");
    }
  });

  test("the audit log", async () => {
    const headers = await api.credentials.staff("admin");
    const input = encodeURIComponent(JSON.stringify({ beforeId: justTooLarge }));
    const response = await api.fastify.inject({ method: "GET", url: `/trpc/auth.listAuditLog?input=${input}`, headers });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json().error.data.fields.map((f: { path: string }) => f.path)).toEqual(["beforeId"]);
  });

  test("a notification id in the path (POST /notifications/{id}/read)", async () => {
    const headers = await partner();
    for (const id of [tooLarge, justTooLarge]) {
      const response = await api.fastify.inject({
        method: "POST",
        url: `/notifications/${id}/read`,
        headers: { ...headers, ...json },
        payload: { userId: "user_a" },
      });
      expectFieldError(response, "id");
    }
  });

  test("a webhook delivery id to redeliver", async () => {
    const headers = await api.credentials.staff("admin");
    const response = await api.fastify.inject({
      method: "POST",
      url: "/trpc/webhooks.redeliver",
      headers: { ...headers, ...json },
      payload: { partnerKeyId: "key_x", deliveryId: justTooLarge },
    });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json().error.data.fields.map((f: { path: string }) => f.path)).toContain("deliveryId");
  });

  test("webhook deliveries", async () => {
    const headers = await partner();
    const input = encodeURIComponent(JSON.stringify({ cursor: justTooLarge }));
    const response = await api.fastify.inject({ method: "GET", url: `/trpc/webhooks.listDeliveries?input=${input}`, headers });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json().error.data.fields.map((f: { path: string }) => f.path)).toEqual(["cursor"]);
  });
});
