// The access matrix, built from the router itself: every procedure × every kind of caller, with
// real credentials through the real HTTP path. A procedure without an access rule fails here.
import { appRouter, partnerScopes, staffRoles, type Access, type PartnerScope, type StaffRole } from "@agrinet/router";
import { describe, expect, test } from "vitest";
import { apiForFile } from "../testing/api-for-file";
import { notificationStreamAccess } from "../routes/notifications";
import type { TestCredentials } from "../testing/credentials";

type ProcedureDef = { type: "query" | "mutation" | "subscription"; meta?: { access?: Access; partnerRefusal?: unknown } };
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: ProcedureDef }>).map(
  ([path, procedure]) => ({
    path,
    type: procedure._def.type,
    access: procedure._def.meta?.access,
    // Closed to partner keys by a server setting that this file's API leaves at its default (off).
    closedToPartners: procedure._def.meta?.partnerRefusal !== undefined,
  }),
);

const ownUserId = "matrix-user-own";
const otherUserId = "matrix-user-other";

type Outcome = "allowed" | 401 | 403;

type Caller = {
  name: string;
  headers(credentials: TestCredentials, access: Access): Promise<Record<string, string>>;
  /** What this caller must get, derived from the rule independently of the middleware. */
  expected(access: Access, closedToPartners: boolean): Outcome;
};

function scopesWithout(access: Access): PartnerScope[] {
  return partnerScopes.filter((s) => !access.partner?.includes(s));
}

const callers: Caller[] = [
  {
    name: "no credentials",
    headers: async () => ({}),
    expected: (a) => (a.public ? "allowed" : 401),
  },
  {
    name: "garbage bearer token",
    headers: async () => ({ authorization: "Bearer garbage-token-that-is-no-key" }),
    expected: (a) => (a.public ? "allowed" : 401),
  },
  {
    name: "garbage x-api-key",
    headers: async () => ({ "x-api-key": "agp_garbage_garbage_garbage_garbage" }),
    expected: (a) => (a.public ? "allowed" : 401),
  },
  {
    name: "user token, own userId",
    headers: (c) => c.user(ownUserId),
    expected: (a) => (a.public || a.authenticated || a.user === "self" || a.user === "party" ? "allowed" : 403),
  },
  {
    name: "user token, another user's userId",
    headers: (c) => c.user(otherUserId),
    expected: (a) => (a.public || a.authenticated || a.user === "party" ? "allowed" : 403),
  },
  {
    name: "partner key with the scope",
    // A procedure closed to partners gets a key with every scope: scopes alone never open it.
    headers: (c, a) => c.partner(a.partner?.length ? [a.partner[0]!] : partnerScopes, "bearer"),
    expected: (a, closedToPartners) => (a.public || a.authenticated || (a.partner?.length && !closedToPartners) ? "allowed" : 403),
  },
  {
    name: "partner key without the scope",
    headers: (c, a) => c.partner(scopesWithout(a)),
    expected: (a) => (a.public || a.authenticated ? "allowed" : 403),
  },
  ...staffRoles.map(
    (role: StaffRole): Caller => ({
      name: role,
      headers: (c) => c.staff(role),
      expected: (a) => (a.public || a.authenticated || a.staff?.includes(role) ? "allowed" : 403),
    }),
  ),
];

const api = apiForFile();

test("the router has procedures and every one declares an access rule", () => {
  expect(procedures.length).toBeGreaterThan(0);
  const undeclared = procedures.filter(({ access }) => {
    if (!access) return true;
    const opens = [access.public, access.authenticated, access.staff?.length, access.partner?.length, access.user];
    return !opens.some(Boolean);
  });
  expect(undeclared.map((p) => p.path)).toEqual([]);
});

async function call(path: string, type: ProcedureDef["type"], headers: Record<string, string>) {
  // Every caller sends the same raw input: "self" rules compare its userId with the token.
  const input = { userId: ownUserId };
  if (type === "mutation") {
    return api.fastify.inject({ method: "POST", url: `/trpc/${path}`, headers: { ...headers, "content-type": "application/json" }, payload: input });
  }
  return api.fastify.inject({ method: "GET", url: `/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`, headers });
}

describe.each(procedures.filter((p) => p.access && p.type !== "subscription"))("$path", ({ path, type, access, closedToPartners }) => {
  test.each(callers.map((c) => [c.name, c] as const))("%s", async (_name, caller) => {
    const expected = caller.expected(access!, closedToPartners);
    const response = await call(path, type, await caller.headers(api.credentials, access!));
    if (expected === "allowed") {
      // Past the access check: whatever the procedure answers for this input, it is not a
      // credentials refusal (and never a crash).
      expect([401, 403, 500], response.body).not.toContain(response.statusCode);
    } else {
      expect(response.statusCode, response.body).toBe(expected);
      expect(response.json().error.data.code).toBe(expected === 401 ? "UNAUTHORIZED" : "FORBIDDEN");
    }
  });
});

test("subscriptions share the rule of the SSE stream, whose callers are tested over HTTP", async () => {
  // A permitted subscription never ends, so the matrix cannot call it; the notification stream
  // (routes/notifications.integration-test.ts) runs the same rule for every kind of caller.
  const subscriptions = procedures.filter((p) => p.type === "subscription");
  expect(subscriptions.map((p) => p.path)).toEqual(["notifications.onNotification"]);
  expect(subscriptions[0]!.access).toEqual(notificationStreamAccess);
});
