// #21 item 5 over the API: staff set a partner's daily payout cap (REST PATCH and tRPC), a
// payout above it is 422 LIMIT_EXCEEDED naming the limit, currency, cap and what remains, over
// REST and tRPC alike, and nothing is held; another partner is unaffected.
import { partnerScopes } from "@agrinet/router";
import { beforeAll, expect, test } from "vitest";
import { apiForFile } from "../testing/api-for-file";

const api = apiForFile({
  app: {
    payouts: {
      settings: { minAmount: 500n, maxAttempts: 5, runWaitMs: 15_000, dailyPayoutCaps: { KES: 10_000n } },
      rails: {} as never,
      statusCheckAfterMs: 60_000,
    },
  },
});
const json = { "content-type": "application/json" };
let partnerA = "";
let headersA: Record<string, string> = {};
let headersB: Record<string, string> = {};

async function admin(method: "POST" | "PATCH" | "GET", url: string, payload?: unknown) {
  const response = await api.fastify.inject({ method, url, headers: { ...(await api.credentials.staff("admin")), ...json }, payload: payload as never });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

async function fund(headers: Record<string, string>, userId: string) {
  const deposit = await api.fastify.inject({ method: "POST", url: "/deposit", headers: { ...headers, ...json }, payload: { userId, amount: 1_000_000, currency: "KES", method: "mpesa", reference: `FUND-${userId}` } });
  expect(deposit.statusCode, deposit.body).toBe(200);
  await admin("POST", `/deposit/${deposit.json().id}/confirm`, { confirmedBy: "admin_ops", evidenceUrl: "https://cdn.example.org/receipt.jpg" });
}

const payout = (headers: Record<string, string>, userId: string, amount: number, extra: Record<string, unknown> = {}) =>
  api.fastify.inject({
    method: "POST",
    url: "/payouts",
    headers: { ...headers, ...json },
    payload: { userId, amount, currency: "KES", destination: { type: "mpesa", account: "+254711222333" }, ...extra },
  });

beforeAll(async () => {
  partnerA = (await admin("POST", "/admin/partners", { name: "Capped A" })).id;
  const partnerB = (await admin("POST", "/admin/partners", { name: "Capped B" })).id;
  headersA = { "x-api-key": (await admin("POST", `/admin/partners/${partnerA}/keys`, { name: "A", scopes: [...partnerScopes] })).key };
  headersB = { "x-api-key": (await admin("POST", `/admin/partners/${partnerB}/keys`, { name: "B", scopes: [...partnerScopes] })).key };
  await api.database.db.workerHeartbeat.create({ data: { workerId: "limits-worker", hostname: "h", pid: 1 } });
  await fund(headersA, "limits-user-a");
  await fund(headersB, "limits-user-b");
});

test("a payout above the partner's daily cap: 422 over REST and tRPC, naming the limit; nothing held; another partner unaffected", async () => {
  const first = await payout(headersA, "limits-user-a", 8_000);
  expect(first.statusCode, first.body).toBe(200);
  expect(first.json().destinationId).toMatch(/^pd_/);
  const holds = await api.database.db.ledgerHold.count();
  const payouts = await api.database.db.payout.count();

  const refused = await payout(headersA, "limits-user-a", 3_000);
  expect(refused.statusCode, refused.body).toBe(422);
  expect(refused.json().error).toMatchObject({
    code: "LIMIT_EXCEEDED",
    fields: [{ path: "amount" }],
    details: { limit: "PARTNER_DAILY_PAYOUT_CAP", currency: "KES", cap: "10000", remaining: "2000" },
  });
  const overTrpc = await api.fastify.inject({
    method: "POST",
    url: "/trpc/payouts.createPayout",
    headers: { ...headersA, ...json },
    payload: { userId: "limits-user-a", amount: 3_000, currency: "KES", destination: { type: "mpesa", account: "+254711222333" } },
  });
  expect(overTrpc.statusCode, overTrpc.body).toBe(422);
  expect(overTrpc.json().error.data).toMatchObject({ code: "LIMIT_EXCEEDED", httpStatus: 422, details: { cap: "10000", remaining: "2000" } });
  expect(await api.database.db.ledgerHold.count()).toBe(holds);
  expect(await api.database.db.payout.count()).toBe(payouts);

  expect((await payout(headersB, "limits-user-b", 10_000)).statusCode).toBe(200);
});

test("staff raise a partner's cap over REST (audited, shown in the list), lower it over tRPC, and remove it", async () => {
  const raised = await admin("PATCH", `/admin/partners/${partnerA}`, { dailyPayoutCaps: [{ currency: "KES", cap: "20000" }] });
  expect(raised.payoutLimits).toEqual([{ currency: "KES", cap: "20000", source: "partner", usedToday: "8000", remainingToday: "12000" }]);
  expect((await payout(headersA, "limits-user-a", 3_000)).statusCode).toBe(200);
  expect(await api.database.db.auditLog.count({ where: { action: "partner.limits_updated", target: `partner:${partnerA}` } })).toBe(1);

  const listed = (await admin("GET", "/admin/partners")).items.find((p: { id: string }) => p.id === partnerA);
  expect(listed.payoutLimits).toEqual([{ currency: "KES", cap: "20000", source: "partner", usedToday: "11000", remainingToday: "9000" }]);

  const lowered = await api.fastify.inject({
    method: "POST",
    url: "/trpc/partners.update",
    headers: { ...(await api.credentials.staff("admin")), ...json },
    payload: { partnerId: partnerA, dailyPayoutCaps: [{ currency: "KES", cap: 0 }] },
  });
  expect(lowered.statusCode, lowered.body).toBe(200);
  const stopped = await payout(headersA, "limits-user-a", 500);
  expect(stopped.statusCode, stopped.body).toBe(422);
  expect(stopped.json().error.details).toMatchObject({ cap: "0", remaining: "0" });

  const removed = await admin("PATCH", `/admin/partners/${partnerA}`, { dailyPayoutCaps: [{ currency: "KES", cap: null }] });
  expect(removed.payoutLimits).toEqual([{ currency: "KES", cap: "10000", source: "default", usedToday: "11000", remainingToday: "0" }]);
});

test("only admins set limits; bad input is 400 naming the field; an unknown partner 404", async () => {
  const asOperator = await api.fastify.inject({ method: "PATCH", url: `/admin/partners/${partnerA}`, headers: { ...(await api.credentials.staff("operator")), ...json }, payload: { dailyPayoutCaps: [] } });
  expect(asOperator.statusCode).toBe(403);
  const asPartner = await api.fastify.inject({ method: "PATCH", url: `/admin/partners/${partnerA}`, headers: { ...headersA, ...json }, payload: { dailyPayoutCaps: [] } });
  expect(asPartner.statusCode).toBe(403);
  const adminHeaders = { ...(await api.credentials.staff("admin")), ...json };
  for (const [dailyPayoutCaps, field] of [
    [[{ currency: "KES", cap: -1 }], "dailyPayoutCaps.0.cap"],
    [[{ currency: "XXX", cap: 1 }], "dailyPayoutCaps.0.currency"],
    [[{ currency: "KES", cap: 1 }, { currency: "KES", cap: 2 }], "dailyPayoutCaps.1.currency"],
  ] as const) {
    const response = await api.fastify.inject({ method: "PATCH", url: `/admin/partners/${partnerA}`, headers: adminHeaders, payload: { dailyPayoutCaps } });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json().error.fields.map((f: { path: string }) => f.path)).toContain(field);
  }
  const unknown = await api.fastify.inject({ method: "PATCH", url: "/admin/partners/partner_nobody", headers: adminHeaders, payload: { dailyPayoutCaps: [] } });
  expect(unknown.statusCode, unknown.body).toBe(404);
});
