// Issue #23's security findings that live at the API's edge, each as the request that showed it.
import { request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { confirmDeposit, createDeposit, createStaffUser, updateStaffUser } from "@agrinet/domain";
import { describe, expect, test } from "vitest";
import { devAuthSettings } from "./auth/settings";
import { fastifyServerOptions } from "./server-options";
import { apiForFile } from "./testing/api-for-file";

const admin = { email: "admin-sec@agrinet.test", password: "correct horse battery" };
const rateLimitPerMinute = 20;

// The dashboard's proxy (127.0.0.1 for `inject`) is trusted to say who the client is.
const api = apiForFile({
  fastify: fastifyServerOptions({ TRUSTED_PROXIES: ["127.0.0.1"] }),
  app: { rateLimitPerMinute, restBodyLimit: 64 * 1024 },
  beforeStart: async (db) => {
    await createStaffUser({ db, email: admin.email, password: admin.password, role: "admin", actor: "system:test" });
    await db.workerHeartbeat.create({ data: { workerId: "host-a/4242/pool-1", hostname: "db-internal-7.example", pid: 4242 } });
  },
});

let clients = 0;
/** A client address of its own, so each test has fresh per-IP buckets. */
const newClient = () => `203.0.113.${++clients}`;
const dashboardOrigin = devAuthSettings.trustedOrigins[0]!;

function signIn(client: string, body: { email: string; password: string }, url = "/api/auth/sign-in/email") {
  return api.fastify.inject({
    method: "POST",
    url,
    headers: { origin: dashboardOrigin, "content-type": "application/json", "x-forwarded-for": client },
    payload: body,
  });
}

/**
 * Over a real socket: `inject` resolves dot segments itself, as curl does without --path-as-is,
 * so only a raw request line shows what the server does with them.
 */
async function rawPost(path: string, client: string, body: unknown): Promise<{ statusCode: number; setCookie: unknown }> {
  if (!api.fastify.server.listening) await api.fastify.listen({ host: "127.0.0.1", port: 0 });
  const { port } = api.fastify.server.address() as AddressInfo;
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: "127.0.0.1",
        port,
        method: "POST",
        path,
        headers: { origin: dashboardOrigin, "content-type": "application/json", "x-forwarded-for": client, "content-length": Buffer.byteLength(payload) },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ statusCode: res.statusCode!, setCookie: res.headers["set-cookie"] }));
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

describe("row 1: sign-in throttle cannot be bypassed by another spelling of its path", () => {
  test("after the limit, dot segments, encoded dots and a trailing slash do not reach sign-in", async () => {
    const client = newClient();
    for (let i = 0; i < devAuthSettings.signInMaxAttempts; i++) {
      expect((await signIn(client, { email: admin.email, password: `wrong ${i} password` })).statusCode).toBe(401);
    }
    expect((await signIn(client, { ...admin })).statusCode).toBe(429);
    for (const url of ["/api/auth/./sign-in/email", "/api/auth/sign-in/./email", "/api/auth/x/../sign-in/email", "/api/auth/%2e/sign-in/email", "/api/auth/sign-in/email/", "/api/auth//sign-in/email"]) {
      const response = await rawPost(url, client, admin);
      expect([400, 404, 429], `${url}: ${response.statusCode}`).toContain(response.statusCode);
      expect(response.setCookie, url).toBeUndefined();
    }
  });

  test("dot segments are refused on every path, not only /api/auth", async () => {
    const response = await rawPost("/api/v1/./deposit", newClient(), {});
    expect(response.statusCode).toBe(400);
  });
});

describe("row 4: the rate-limit bucket is keyed on verified credentials only", () => {
  test("junk API keys, bearer tokens and cookies from one address share that address's bucket", async () => {
    const client = newClient();
    const statuses: number[] = [];
    for (let i = 0; i <= rateLimitPerMinute; i++) {
      const junk = [{ "x-api-key": `agp_junk_${i}` }, { authorization: `Bearer junk-${i}` }, { cookie: `agrinet.session_token=junk${i}` }][i % 3]!;
      const response = await api.fastify.inject({ method: "GET", url: "/api/v1/system/status", headers: { ...junk, "x-forwarded-for": client } });
      statuses.push(response.statusCode);
    }
    expect(statuses.at(-1)).toBe(429);
  });

  test("a verified key has its own bucket, apart from its address's", async () => {
    const client = newClient();
    const partner = await api.credentials.partner(["deposits:read"]);
    for (let i = 0; i < rateLimitPerMinute; i++) {
      await api.fastify.inject({ method: "GET", url: "/api/v1/system/status", headers: { "x-forwarded-for": client } });
    }
    expect((await api.fastify.inject({ method: "GET", url: "/api/v1/system/status", headers: { "x-forwarded-for": client } })).statusCode).toBe(429);
    const keyed = await api.fastify.inject({ method: "GET", url: "/api/v1/system/status", headers: { ...partner, "x-forwarded-for": client } });
    expect(keyed.statusCode).toBe(200);
  });
});

describe("row 5: behind the trusted proxy, other clients cannot lock a staff member out", () => {
  test("failed attempts from one client do not throttle the same email from another", async () => {
    const attacker = newClient();
    for (let i = 0; i <= devAuthSettings.signInMaxAttempts; i++) await signIn(attacker, { email: admin.email, password: `guess ${i} password` });
    expect((await signIn(attacker, { ...admin })).statusCode).toBe(429);
    expect((await signIn(newClient(), { ...admin })).statusCode).toBe(200);
  });

  test("X-Forwarded-For from an untrusted peer is ignored", () => {
    const options = fastifyServerOptions({ TRUSTED_PROXIES: [] });
    expect(options.trustProxy).toBe(false);
    const trusted = fastifyServerOptions({ TRUSTED_PROXIES: ["10.0.0.5", "10.1.0.0/16"] });
    expect(trusted.trustProxy).toEqual(["10.0.0.5", "10.1.0.0/16"]);
  });
});

describe("row 3: cookie-authenticated mutations from another origin are refused", () => {
  test("a bodiless POST with the staff cookie from a same-site origin: 403, payout untouched", async () => {
    const cookie = await api.credentials.staff("admin");
    const payoutId = "po_0123456789abcdef01234567";
    const foreign = await api.fastify.inject({
      method: "POST",
      url: `/api/v1/payouts/${payoutId}/cancel`,
      headers: { ...cookie, origin: "http://127.0.0.1:18998", "sec-fetch-site": "same-site" },
    });
    expect(foreign.statusCode, foreign.body).toBe(403);
    const own = await api.fastify.inject({ method: "POST", url: `/api/v1/payouts/${payoutId}/cancel`, headers: { ...cookie, origin: dashboardOrigin } });
    expect(own.statusCode, own.body).toBe(404);
  });

  test("tRPC refuses multipart/form-data and other non-JSON bodies", async () => {
    const cookie = await api.credentials.staff("admin");
    for (const contentType of ["multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "text/plain"]) {
      const response = await api.fastify.inject({
        method: "POST",
        url: "/trpc/payouts.runPayouts",
        headers: { ...cookie, "content-type": contentType },
        payload: contentType.startsWith("multipart") ? "--x--\r\n" : "a=b",
      });
      expect(response.statusCode, `${contentType}: ${response.body}`).toBe(415);
    }
  });
});

describe("row 8: better-auth's own endpoints beyond sign-in are not exposed", () => {
  test("a viewer cannot create an API key through /api/auth/api-key/create", async () => {
    const viewer = await api.credentials.staff("viewer");
    const response = await api.fastify.inject({
      method: "POST",
      url: "/api/auth/api-key/create",
      headers: { ...viewer, origin: dashboardOrigin, "content-type": "application/json" },
      payload: { name: "mine" },
    });
    expect(response.statusCode).toBe(404);
    expect(await api.database.db.apiKey.count({ where: { name: "mine" } })).toBe(0);
  });

  test("a disabled staff member cannot sign in", async () => {
    const db = api.database.db;
    const user = await createStaffUser({ db, email: "gone@agrinet.test", password: "gone password 123", role: "operator", actor: "system:test" });
    await updateStaffUser({ db, userId: user.id, disabled: true, actor: "system:test" });
    const response = await signIn(newClient(), { email: "gone@agrinet.test", password: "gone password 123" });
    expect(response.statusCode).toBe(401);
    expect(response.headers["set-cookie"]).toBeUndefined();
    expect(await db.staffSession.count({ where: { userId: user.id } })).toBe(0);
  });
});

test("row 11: /trpc accepts no larger body than REST", async () => {
  const partner = await api.credentials.partner(["deposits:write"]);
  const response = await api.fastify.inject({
    method: "POST",
    url: "/trpc/deposits.create",
    headers: { ...partner, "content-type": "application/json" },
    payload: JSON.stringify({ userId: "user_a", amount: 1000, currency: "KES", method: "mpesa", reference: "big", metadata: { pad: "x".repeat(70 * 1024) } }),
  });
  expect(response.statusCode).toBe(413);
});

test("row 12: unauthenticated system status shows no hostnames, pids or worker ids; staff see them", async () => {
  const anonymous = await api.fastify.inject({ method: "GET", url: "/api/v1/system/status" });
  expect(anonymous.statusCode).toBe(200);
  expect(anonymous.body).not.toContain("db-internal-7");
  expect(anonymous.body).not.toContain("4242");
  expect(anonymous.json().worker).toBe("ok");
  const staff = await api.fastify.inject({ method: "GET", url: "/api/v1/system/status", headers: await api.credentials.staff("viewer") });
  expect(staff.body).toContain("db-internal-7");
});

test("row 14: evidenceUrl accepts only http(s)", async () => {
  const operator = await api.credentials.staff("operator");
  for (const evidenceUrl of ["javascript:alert(1)", "data:text/html,hi", "file:///etc/passwd"]) {
    const response = await api.fastify.inject({
      method: "POST",
      url: "/deposit/dep_unknown/confirm",
      headers: { ...operator, "content-type": "application/json" },
      payload: { evidenceUrl },
    });
    expect(response.statusCode, evidenceUrl).toBe(400);
    expect(response.json().error.fields.map((f: { path: string }) => f.path)).toContain("evidenceUrl");
  }
});

test("row 13: an end user's transaction list hides the other legs' running balances", async () => {
  const db = api.database.db;
  for (const [userId, reference] of [["user_row13", "ROW13-A"], ["user_other13", "ROW13-B"]] as const) {
    const deposit = await createDeposit({
      db,
      input: { userId, amount: 5000n, currency: "KES", method: "mpesa", reference, metadata: {} },
      minAmount: 0n,
      chargeStripe: null,
    });
    await confirmDeposit({ db, depositId: deposit.id, confirmedBy: "ops", evidenceUrl: "https://cdn.example.org/r.jpg" });
  }
  type Posting = { account: string; balanceAfter: string | null };
  const list = async (headers: Record<string, string>) => {
    const response = await api.fastify.inject({ method: "GET", url: "/transactions?userId=user_row13", headers });
    expect(response.statusCode, response.body).toBe(200);
    return (response.json() as { items: Array<{ postings: Posting[] }> }).items.flatMap((t) => t.postings);
  };
  const asUser = await list(await api.credentials.user("user_row13"));
  const own = asUser.filter((p) => p.account.startsWith("user:user_row13:"));
  const others = asUser.filter((p) => !p.account.startsWith("user:user_row13:"));
  expect(own.length).toBeGreaterThan(0);
  expect(others.length).toBeGreaterThan(0);
  expect(own.every((p) => p.balanceAfter !== null)).toBe(true);
  // The clearing account's balance after this deposit would show the other user's 5000 too.
  expect(others.map((p) => p.balanceAfter)).toEqual(others.map(() => null));
  const asStaff = await list(await api.credentials.staff("viewer"));
  expect(asStaff.every((p) => p.balanceAfter !== null)).toBe(true);
});

test("row 6: amounts above the business maximum (AMOUNT_MAX) are 400 naming the field, on every way in", async () => {
  const partner = await api.credentials.partner(["deposits:write", "payouts:write", "contracts:write"]);
  const headers = { ...partner, "content-type": "application/json" };
  const tooMuch = "9223372036854775807";
  const deposit = await api.fastify.inject({
    method: "POST",
    url: "/deposit",
    headers,
    payload: { userId: "user_rich", amount: tooMuch, currency: "KES", method: "mpesa", reference: "ROW6-1" },
  });
  expect(deposit.statusCode, deposit.body).toBe(400);
  expect(deposit.json().error.fields.map((f: { path: string }) => f.path)).toContain("amount");
  const contract = await api.fastify.inject({
    method: "POST",
    url: "/contracts",
    headers,
    payload: { consumerId: "user_rich", producerId: "user_b", currency: "KES", expectedAmount: tooMuch },
  });
  expect(contract.statusCode, contract.body).toBe(400);
  expect(contract.json().error.fields.map((f: { path: string }) => f.path)).toContain("expectedAmount");
  const payout = await api.fastify.inject({
    method: "POST",
    url: "/payouts",
    headers,
    payload: { userId: "user_rich", amount: tooMuch, currency: "KES", destination: { type: "mpesa", account: "+254708374149" }, reference: "ROW6-P" },
  });
  expect(payout.statusCode, payout.body).toBe(400);
  expect(payout.json().error.fields.map((f: { path: string }) => f.path)).toContain("amount");
});
