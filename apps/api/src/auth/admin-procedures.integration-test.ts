import { expect, test } from "vitest";
import { apiForFile } from "../testing/api-for-file";
import { devAuthSettings } from "./settings";

const api = apiForFile();

async function mutate(path: string, input: unknown, headers: Record<string, string>) {
  const response = await api.fastify.inject({
    method: "POST",
    url: `/trpc/${path}`,
    headers: { ...headers, "content-type": "application/json" },
    payload: input as object,
  });
  return { status: response.statusCode, body: response.json() };
}

async function query(path: string, input: unknown, headers: Record<string, string>) {
  const url = input === undefined ? `/trpc/${path}` : `/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`;
  const response = await api.fastify.inject({ method: "GET", url, headers });
  return { status: response.statusCode, body: response.json() };
}

test("an admin creates a key shown once, the key works, revoking it stops it, and both are audited", async () => {
  const admin = await api.credentials.staff("admin");
  const created = await mutate("auth.createPartnerKey", { name: "Acme", scopes: ["payouts:read"] }, admin);
  expect(created.status).toBe(200);
  const { id, key } = created.body.result.data;
  expect(key).toMatch(/^agp_/);

  const me = await query("auth.me", undefined, { authorization: `Bearer ${key}` });
  expect(me.body.result.data).toMatchObject({ kind: "partner", partnerId: "partner_default", keyId: id, scopes: ["payouts:read"] });

  const listed = await query("auth.listPartnerKeys", undefined, admin);
  const entry = listed.body.result.data.find((k: { id: string }) => k.id === id);
  expect(entry).toMatchObject({ name: "Acme", enabled: true });
  expect(entry.lastUsedAt).not.toBeNull();
  expect(JSON.stringify(listed.body)).not.toContain(key);

  expect((await mutate("auth.revokePartnerKey", { keyId: id }, admin)).status).toBe(200);
  expect((await query("auth.me", undefined, { "x-api-key": key })).status).toBe(401);

  const audit = await query("auth.listAuditLog", { target: `api_key:${id}` }, admin);
  const entries = audit.body.result.data.entries;
  expect(entries.map((e: { action: string }) => e.action)).toEqual(["auth.key.revoked", "auth.key.created"]);
  expect(entries[0].actor).toMatch(/^staff:/);
  expect(entries[0].ip).toBeTruthy();
  expect(JSON.stringify(entries)).not.toContain(key);
});

test("an admin creates and disables a user; the new user's role is enforced and changes are audited", async () => {
  const admin = await api.credentials.staff("admin");
  const created = await mutate(
    "auth.createStaffUser",
    { email: "Op@Agrinet.test", password: "operator password", role: "operator" },
    admin,
  );
  expect(created.status).toBe(200);
  const user = created.body.result.data;
  expect(user).toMatchObject({ email: "op@agrinet.test", role: "operator" });

  const duplicate = await mutate("auth.createStaffUser", { email: "op@agrinet.test", password: "another password", role: "viewer" }, admin);
  expect(duplicate.status).toBe(409);

  const signIn = await api.fastify.inject({
    method: "POST",
    url: "/api/auth/sign-in/email",
    headers: { origin: devAuthSettings.trustedOrigins[0]!, "content-type": "application/json" },
    payload: { email: "op@agrinet.test", password: "operator password" },
  });
  expect(signIn.statusCode).toBe(200);
  const cookie = String(signIn.headers["set-cookie"]).split(";")[0]!;
  // An operator is not an admin: user management is refused.
  expect((await query("auth.listStaffUsers", undefined, { cookie })).status).toBe(403);

  const disabled = await mutate("auth.updateStaffUser", { userId: user.id, disabled: true }, admin);
  expect(disabled.status).toBe(200);
  expect((await query("auth.me", undefined, { cookie })).status).toBe(401);

  const audit = await query("auth.listAuditLog", { target: `staff_user:${user.id}` }, admin);
  expect(audit.body.result.data.entries.map((e: { action: string }) => e.action)).toEqual([
    "auth.user.updated",
    "auth.user.created",
  ]);
});

test("an admin cannot demote or disable themselves", async () => {
  const admin = await api.credentials.staff("admin");
  const me = (await query("auth.me", undefined, admin)).body.result.data;
  const result = await mutate("auth.updateStaffUser", { userId: me.userId, role: "viewer" }, admin);
  expect(result.status).toBe(403);
  expect((await query("auth.me", undefined, admin)).body.result.data.role).toBe("admin");
});

test("the audit log cannot be edited or deleted", async () => {
  await expect(api.database.db.auditLog.deleteMany()).rejects.toThrow(/append-only/);
  await expect(api.database.db.auditLog.updateMany({ data: { actor: "someone-else" } })).rejects.toThrow(/append-only/);
});

test("signing out ends the session", async () => {
  const { cookie } = (await api.credentials.staff("viewer")) as { cookie: string };
  const out = await api.fastify.inject({
    method: "POST",
    url: "/api/auth/sign-out",
    headers: { cookie, origin: devAuthSettings.trustedOrigins[0]!, "content-type": "application/json" },
    payload: {},
  });
  expect(out.statusCode).toBe(200);
  expect((await query("auth.me", undefined, { cookie })).status).toBe(401);
});
