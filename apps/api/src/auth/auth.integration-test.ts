import { createPartnerKey, createStaffUser, revokePartnerKey, seedDemoData, signUserToken } from "@agrinet/domain";
import { partnerScopes } from "@agrinet/router";
import { describe, expect, test } from "vitest";
import { apiForFile } from "../testing/api-for-file";
import { devAuthSettings } from "./settings";

const admin = { email: "admin@agrinet.test", password: "correct horse battery" };
const seededKey = "agp_test_seeded_partner_key_000000000000000000";

const api = apiForFile({
  beforeStart: async (db) => {
    await seedDemoData({
      db,
      access: { adminEmail: admin.email, adminPassword: admin.password, partnerApiKey: seededKey, partnerScopes },
    });
  },
});

async function signIn(email: string, password: string) {
  return api.fastify.inject({
    method: "POST",
    url: "/api/auth/sign-in/email",
    headers: { origin: devAuthSettings.trustedOrigins[0]!, "content-type": "application/json" },
    payload: { email, password },
  });
}

function cookieHeader(response: { headers: Record<string, unknown> }): string {
  const raw = response.headers["set-cookie"];
  const list = Array.isArray(raw) ? raw : [raw];
  return list.map((c) => String(c).split(";")[0]).join("; ");
}

const me = (headers: Record<string, string> = {}) =>
  api.fastify.inject({ method: "GET", url: "/trpc/auth.me", headers });

test("seeding twice creates the admin and the key once", async () => {
  const again = await seedDemoData({
    db: api.database.db,
    access: { adminEmail: admin.email, adminPassword: admin.password, partnerApiKey: seededKey, partnerScopes },
  });
  expect(again).toBe("nothing to seed");
  expect(await api.database.db.staffUser.count({ where: { email: admin.email } })).toBe(1);
  expect(await api.database.db.apiKey.count({ where: { name: "Demo partner" } })).toBe(1);
});

test("the seed gives every role a member, signed in with the admin's password", async () => {
  const seeded = await api.database.db.staffUser.findMany({ select: { email: true, role: true }, orderBy: { email: "asc" } });
  expect(seeded).toEqual([
    { email: "admin@agrinet.test", role: "admin" },
    { email: "operator@agrinet.test", role: "operator" },
    { email: "viewer@agrinet.test", role: "viewer" },
  ]);
  const response = await signIn("viewer@agrinet.test", admin.password);
  expect(response.statusCode).toBe(200);
  const viewer = await me({ cookie: cookieHeader(response) });
  expect(viewer.json().result.data).toMatchObject({ kind: "staff", role: "viewer" });
});

describe("credentials through the real HTTP path", () => {
  test("no credentials: 401 with the UNAUTHORIZED code", async () => {
    const response = await me();
    expect(response.statusCode).toBe(401);
    expect(response.json().error.data.code).toBe("UNAUTHORIZED");
  });

  test("a garbage bearer token and a garbage key are 401", async () => {
    expect((await me({ authorization: "Bearer not-a-key" })).statusCode).toBe(401);
    expect((await me({ authorization: "Bearer aaa.bbb.ccc" })).statusCode).toBe(401);
    expect((await me({ "x-api-key": "agp_nope" })).statusCode).toBe(401);
    expect((await me({ authorization: "Basic Zm9vOmJhcg==" })).statusCode).toBe(401);
  });

  test("the seeded admin signs in with an httpOnly cookie and is staff/admin", async () => {
    const response = await signIn(admin.email, admin.password);
    expect(response.statusCode).toBe(200);
    expect(String(response.headers["set-cookie"])).toMatch(/HttpOnly/i);
    const whoami = await me({ cookie: cookieHeader(response) });
    expect(whoami.statusCode).toBe(200);
    expect(whoami.json().result.data).toMatchObject({ kind: "staff", email: admin.email, role: "admin" });
  });

  test("a wrong password is 401 with the JSON error body", async () => {
    const response = await signIn("someone-else@agrinet.test", "wrong password!");
    expect(response.statusCode).toBe(401);
    // The spec's body, plus better-auth's own `message` for its client library.
    expect(response.json()).toMatchObject({ error: { code: "UNAUTHORIZED" }, message: expect.any(String) });
  });

  test("the seeded partner key works as given, in both headers, and records last use", async () => {
    const before = await api.database.db.apiKey.findFirstOrThrow({ where: { name: "Demo partner" } });
    expect(before.lastRequest).toBeNull();
    const both: Array<Record<string, string>> = [{ "x-api-key": seededKey }, { authorization: `Bearer ${seededKey}` }];
    for (const headers of both) {
      const response = await me(headers);
      expect(response.statusCode).toBe(200);
      expect(response.json().result.data).toMatchObject({ kind: "partner", scopes: [...partnerScopes].sort() });
    }
    const after = await api.database.db.apiKey.findUniqueOrThrow({ where: { id: before.id } });
    expect(after.lastRequest).not.toBeNull();
    expect(after.key).not.toContain(seededKey);
  });

  test("a key verified a moment ago is not verified again (no row update per request)", async () => {
    const created = await createPartnerKey({ db: api.database.db, name: "busy", scopes: ["deposits:read"], actor: "system:test" });
    expect((await me({ "x-api-key": created.key })).statusCode).toBe(200);
    const stamped = (await api.database.db.apiKey.findUniqueOrThrow({ where: { id: created.id } })).lastRequest;
    expect(stamped).not.toBeNull();
    for (let i = 0; i < 10; i++) expect((await me({ "x-api-key": created.key })).statusCode).toBe(200);
    const after = (await api.database.db.apiKey.findUniqueOrThrow({ where: { id: created.id } })).lastRequest;
    expect(after).toEqual(stamped);
  });

  test("a revoked key is 401", async () => {
    const created = await createPartnerKey({ db: api.database.db, name: "short-lived", scopes: ["deposits:read"], actor: "system:test" });
    expect((await me({ "x-api-key": created.key })).statusCode).toBe(200);
    await revokePartnerKey({ db: api.database.db, keyId: created.id, actor: "system:test" });
    expect((await me({ "x-api-key": created.key })).statusCode).toBe(401);
  });

  test("an end-user JWT is the user; a token signed with another secret is 401", async () => {
    const token = await signUserToken({ secret: devAuthSettings.jwtSecret!, userId: "user-1" });
    const response = await me({ authorization: `Bearer ${token}` });
    expect(response.json().result.data).toEqual({ kind: "user", partnerId: "partner_default", userId: "user-1" });
    const forged = await signUserToken({ secret: "another-secret-another-secret-another", userId: "user-1" });
    expect((await me({ authorization: `Bearer ${forged}` })).statusCode).toBe(401);
  });

  test("a disabled staff user's session stops working", async () => {
    const viewer = await createStaffUser({ db: api.database.db, email: "v@agrinet.test", password: "viewer password", role: "viewer", actor: "system:test" });
    const cookie = cookieHeader(await signIn("v@agrinet.test", "viewer password"));
    expect((await me({ cookie })).json().result.data).toMatchObject({ role: "viewer" });
    await api.database.db.staffUser.update({ where: { id: viewer.id }, data: { disabledAt: new Date() } });
    expect((await me({ cookie })).statusCode).toBe(401);
  });

  test("sign-in is rate limited with 429 and Retry-After", async () => {
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < devAuthSettings.signInMaxAttempts + 1; i++) {
      last = await signIn("brute@agrinet.test", `guess number ${i}`);
      statuses.push(last.statusCode);
    }
    expect(statuses.slice(0, -1).every((s) => s === 401)).toBe(true);
    expect(last!.statusCode).toBe(429);
    expect(Number(last!.headers["retry-after"])).toBeGreaterThan(0);
    expect(last!.json()).toMatchObject({ error: { code: "RATE_LIMITED" } });
  });
});
