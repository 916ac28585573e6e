import type { Principal } from "@agrinet/router";
import Fastify from "fastify";
import { afterAll, beforeAll, expect, test } from "vitest";
import { errorEnvelopePlugin } from "../rest/error-envelope";
import { requireAccess } from "./require-access";

const principals: Record<string, Principal> = {
  viewer: { kind: "staff", userId: "s1", email: "v@x", role: "viewer" },
  partner: { kind: "partner", partnerId: "partner_default", keyId: "k1", name: "p", scopes: ["payouts:read"] },
  user: { kind: "user", partnerId: "partner_default", userId: "u1" },
};

const fastify = Fastify();

beforeAll(async () => {
  await fastify.register(errorEnvelopePlugin);
  fastify.decorateRequest("principal", null);
  // Stands in for the app's resolver: the helper only reads request.principal.
  fastify.addHook("onRequest", async (request) => {
    request.principal = principals[String(request.headers["x-test-principal"])] ?? null;
  });
  fastify.post("/payouts", { preHandler: requireAccess({ staff: ["admin", "operator"], partner: ["payouts:write"] }) }, async () => ({ ok: true }));
  fastify.get("/users/:userId/balances", { preHandler: requireAccess({ user: "self", staff: ["viewer"] }) }, async () => ({ ok: true }));
  await fastify.ready();
});
afterAll(() => fastify.close());

const as = (who?: string) => (who ? { "x-test-principal": who } : {});

test("no principal is 401 with the REST error envelope", async () => {
  const response = await fastify.inject({ method: "POST", url: "/payouts", payload: {} });
  expect(response.statusCode).toBe(401);
  expect(response.json()).toEqual({
    error: { code: "UNAUTHORIZED", message: expect.any(String), fields: [], requestId: response.headers["x-request-id"] },
  });
});

test("a partner without payouts:write and a viewer get 403 on POST /payouts", async () => {
  for (const who of ["partner", "viewer"]) {
    const response = await fastify.inject({ method: "POST", url: "/payouts", headers: as(who), payload: {} });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual({
      error: { code: "FORBIDDEN", message: "not allowed for this caller", fields: [], requestId: expect.any(String) },
    });
  }
});

test("self reads the route's userId", async () => {
  expect((await fastify.inject({ url: "/users/u1/balances", headers: as("user") })).statusCode).toBe(200);
  expect((await fastify.inject({ url: "/users/u2/balances", headers: as("user") })).statusCode).toBe(403);
  expect((await fastify.inject({ url: "/users/u2/balances?userId=u1", headers: as("user") })).statusCode).toBe(403);
  expect((await fastify.inject({ url: "/users/u2/balances", headers: as("viewer") })).statusCode).toBe(200);
});
