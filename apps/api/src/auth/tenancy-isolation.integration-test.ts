// Issue #21, the isolation matrix, built from the router like the access matrix: partner B,
// holding every scope, calls every procedure (over tRPC) and every REST path with partner A's
// users and records, and gets 404 naming the field; nothing of A's moves and no answer carries
// A's ids. A new input field that names a user or record under another name fails this file
// until the tenancy middleware knows it.
import { appRouter, partnerScopes, type Access } from "@agrinet/router";
import { beforeAll, describe, expect, test } from "vitest";
import { listRestRoutes } from "../rest/rest-routes";
import { apiForFile } from "../testing/api-for-file";

type ZodLike = { _zod?: { def?: Record<string, unknown> & { type?: string } }; shape?: Record<string, unknown> };
type ProcedureDef = { type: "query" | "mutation" | "subscription"; meta?: { access?: Access }; inputs: ZodLike[] };

/** The top-level keys an input schema declares (through defaults, optionals, pipes and refinements). */
function inputKeys(schema: ZodLike | undefined): string[] {
  const def = schema?._zod?.def;
  if (!def) return [];
  switch (def.type) {
    case "object":
      return Object.keys((def.shape as Record<string, unknown>) ?? {});
    case "default":
    case "optional":
    case "nullable":
    case "prefault":
      return inputKeys(def.innerType as ZodLike);
    case "pipe":
      return inputKeys(def.in as ZodLike);
    default:
      return [];
  }
}

const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: ProcedureDef }>)
  .map(([path, procedure]) => ({
    path,
    type: procedure._def.type,
    access: procedure._def.meta?.access,
    keys: [...new Set(procedure._def.inputs.flatMap(inputKeys))],
  }))
  .filter((p) => p.access?.partner?.length && p.type !== "subscription");

/** Input fields that name something a partner must own (read by the tenancy middleware). */
const ownedFields = ["userId", "consumerId", "producerId", "depositId", "payoutId", "contractId", "ratingId", "destinationId", "account", "metadata"];
/**
 * Fields that name nothing of another partner's: amounts, filters, pages, the caller's own
 * webhook endpoints (partnerKeyId is checked against the key itself), notification ids (read
 * through the userId they belong to).
 */
const neutralFields = new Set([
  "amount", "currency", "method", "reference", "paymentMethodId", "returnUrl", "phoneNumber", "destination",
  "cursor", "limit", "status", "kind", "from", "to", "search", "period", "includeRevoked", "destinationType",
  "batchId", "partnerId", "expectedAmount", "ratingWindowDays", "value", "narrative", "reason", "role",
  "partnerKeyId", "url", "events", "description", "endpointId", "deliveryId", "ids", "upToId", "lastEventId", "id",
  "confirmedBy", "evidenceUrl", "receiptSha256", "granularity", "days", "asOf", "raterRole", "rating", "unread", "type",
  "eventTypes", "sort", "direction",
]);

// Partner keys may confirm and fail deposits here, so those two are in the matrix too.
const api = apiForFile({ app: { payments: { depositsPartnerConfirm: true } } });
const userA = "tenancy-user-a";
const producerA = "tenancy-producer-a";
const a = { depositId: "", payoutId: "", contractId: "", destinationId: "" };
let partnerA = "";
let partnerB = "";
let headersA: Record<string, string> = {};
let headersB: Record<string, string> = {};
const json = { "content-type": "application/json" };

async function adminPost(url: string, payload: Record<string, unknown>) {
  const response = await api.fastify.inject({ method: "POST", url, headers: { ...(await api.credentials.staff("admin")), ...json }, payload });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

/** A's ledger as B could change it: every posting, hold and payout. */
async function ledgerFingerprint() {
  const db = api.database.db;
  return {
    postings: await db.ledgerPosting.count(),
    holds: await db.ledgerHold.count(),
    payouts: await db.payout.count(),
    deposits: await db.deposit.count(),
    contracts: await db.contract.count(),
  };
}

beforeAll(async () => {
  partnerA = (await adminPost("/admin/partners", { name: "Buyer app" })).id;
  partnerB = (await adminPost("/admin/partners", { name: "Coop app" })).id;
  const keyA = await adminPost(`/admin/partners/${partnerA}/keys`, { name: "A", scopes: [...partnerScopes] });
  const keyB = await adminPost(`/admin/partners/${partnerB}/keys`, { name: "B", scopes: [...partnerScopes] });
  expect(keyA.partnerId).toBe(partnerA);
  headersA = { "x-api-key": keyA.key };
  headersB = { "x-api-key": keyB.key };
  await api.database.db.workerHeartbeat.create({ data: { workerId: "tenancy-worker", hostname: "h", pid: 1 } });

  const post = async (url: string, payload: Record<string, unknown>, headers = headersA) => {
    const response = await api.fastify.inject({ method: "POST", url, headers: { ...headers, ...json }, payload });
    expect(response.statusCode, `${url}: ${response.body}`).toBe(200);
    return response.json();
  };
  const deposit = await post("/deposit", { userId: userA, amount: 500000, currency: "KES", method: "mpesa", reference: "SHARED-REF-1" });
  a.depositId = deposit.id;
  await adminPost(`/deposit/${deposit.id}/confirm`, { confirmedBy: "admin_ops", evidenceUrl: "https://cdn.example.org/receipt.jpg" });
  a.contractId = (await post("/contracts", { id: "shared-contract-id", consumerId: userA, producerId: producerA, currency: "KES", expectedAmount: 1000 })).id;
  const payout = await post("/payouts", { userId: userA, amount: 100000, currency: "KES", destination: { type: "mpesa", account: "+254700000001" } });
  a.payoutId = payout.id;
  a.destinationId = (await post(`/users/${userA}/payout-destinations`, { destination: { type: "mpesa", account: "+254700000002" } })).id;
});

/** Fills each declared field with A's: the user, a record, or A's wallet. */
function inputNaming(keys: string[]): Record<string, unknown> {
  const values: Record<string, unknown> = {
    userId: userA,
    consumerId: userA,
    producerId: producerA,
    depositId: a.depositId,
    payoutId: a.payoutId,
    contractId: a.contractId,
    ratingId: "rating-of-a",
    destinationId: a.destinationId,
    account: `user:${userA}:wallet:KES`,
    metadata: { contractId: a.contractId },
  };
  return Object.fromEntries(keys.filter((k) => k in values).map((k) => [k, values[k]]));
}

const leaksA = (body: string) => [userA, producerA, a.depositId, a.payoutId, a.destinationId].some((id) => body.includes(id));

test("every field of a partner-callable input is known: it names an owned thing or nothing of another partner's", () => {
  expect(procedures.length).toBeGreaterThan(15);
  const unknown = procedures.flatMap((p) => p.keys.filter((k) => !ownedFields.includes(k) && !neutralFields.has(k)).map((k) => `${p.path}.${k}`));
  expect(unknown).toEqual([]);
});

describe.each(procedures)("tRPC $path", ({ path, type, keys }) => {
  test("partner B with every scope, naming A's users and records → 404 naming the field, or nothing of A's", async () => {
    const before = await ledgerFingerprint();
    const input = inputNaming(keys);
    const response =
      type === "mutation"
        ? await api.fastify.inject({ method: "POST", url: `/trpc/${path}`, headers: { ...headersB, ...json }, payload: input })
        : await api.fastify.inject({ method: "GET", url: `/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`, headers: headersB });
    if (Object.keys(input).length > 0) {
      expect(response.statusCode, response.body).toBe(404);
      const fields = (response.json().error.data.fields as Array<{ path: string }>).map((f) => f.path);
      expect(fields.length).toBeGreaterThan(0);
      for (const field of fields) expect(Object.keys(input)).toContain(field.split(".")[0]);
    } else {
      expect(response.statusCode, response.body).not.toBe(500);
    }
    expect(leaksA(response.body), response.body).toBe(false);
    expect(await ledgerFingerprint()).toEqual(before);
  });
});

const restRoutes = listRestRoutes(appRouter).filter((route) => procedures.some((p) => p.path === route.procedurePath));

describe.each(restRoutes.map((r) => ({ ...r, name: `${r.method} ${r.openapiPath}` })))("REST $name", (route) => {
  test("partner B naming A's users and records → 404, nothing of A's", async () => {
    const keys = procedures.find((p) => p.path === route.procedurePath)!.keys;
    const input = inputNaming(keys);
    let url = route.openapiPath;
    for (const parameter of route.pathParameters) {
      url = url.replace(`{${parameter}}`, encodeURIComponent(String(input[parameter] ?? "x")));
      delete input[parameter];
    }
    const named = inputNaming(keys);
    const response =
      route.method === "GET" || route.method === "DELETE"
        ? await api.fastify.inject({
            method: route.method,
            url: `${url}?${new URLSearchParams(Object.entries(input).filter(([, v]) => typeof v === "string") as [string, string][])}`,
            headers: headersB,
          })
        : await api.fastify.inject({ method: route.method, url, headers: { ...headersB, ...json }, payload: input });
    if (Object.keys(named).length > 0) expect(response.statusCode, response.body).toBe(404);
    else expect(response.statusCode, response.body).not.toBe(500);
    expect(leaksA(response.body), response.body).toBe(false);
  });
});

test("the notification stream (a plain route, not a procedure): B asking for A's user → 404 naming userId", async () => {
  const response = await api.fastify.inject({ method: "GET", url: `/notifications/stream?userId=${userA}`, headers: headersB });
  expect(response.statusCode, response.body).toBe(404);
  expect(response.json().error.fields.map((f: { path: string }) => f.path)).toEqual(["userId"]);
});

describe("lists without userId hold only the caller's own records", () => {
  test.each(["/api/v1/deposits", "/api/v1/payouts", "/api/v1/contracts", "/transactions?limit=200"])("%s", async (url) => {
    const asB = await api.fastify.inject({ method: "GET", url, headers: headersB });
    expect(asB.statusCode, asB.body).toBe(200);
    expect(asB.json().items).toEqual([]);
    const asA = await api.fastify.inject({ method: "GET", url, headers: headersA });
    expect(asA.statusCode, asA.body).toBe(200);
    expect(asA.json().items.length).toBeGreaterThan(0);
    // B asking for A's partner by name changes nothing: the filter is for staff.
    const sep = url.includes("?") ? "&" : "?";
    const named = await api.fastify.inject({ method: "GET", url: `${url}${sep}partnerId=${partnerA}`, headers: headersB });
    expect(named.json().items).toEqual([]);
  });

  test("staff see both partners and filter by one", async () => {
    const staff = await api.credentials.staff("viewer");
    const all = await api.fastify.inject({ method: "GET", url: "/api/v1/deposits", headers: staff });
    expect(all.json().items.map((d: { partnerId: string }) => d.partnerId)).toContain(partnerA);
    const onlyB = await api.fastify.inject({ method: "GET", url: `/api/v1/deposits?partnerId=${partnerB}`, headers: staff });
    expect(onlyB.json().items).toEqual([]);
  });
});

describe("references, contract ids and Idempotency-Keys are per partner", () => {
  test("B reuses A's deposit reference: B's own deposit, nothing of A's named", async () => {
    const response = await api.fastify.inject({
      method: "POST",
      url: "/deposit",
      headers: { ...headersB, ...json },
      payload: { userId: "tenancy-user-b", amount: 5000, currency: "KES", method: "mpesa", reference: "SHARED-REF-1" },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ partnerId: partnerB, userId: "tenancy-user-b", reference: "SHARED-REF-1" });
    expect(response.json().id).not.toBe(a.depositId);
    // Within one partner the spec's 409 stands.
    const again = await api.fastify.inject({
      method: "POST",
      url: "/deposit",
      headers: { ...headersB, ...json },
      payload: { userId: "tenancy-user-b", amount: 5000, currency: "KES", method: "mpesa", reference: "SHARED-REF-1" },
    });
    expect(again.statusCode).toBe(409);
  });

  test("B's Idempotency-Key equal to A's gets an independent result", async () => {
    const key = "tenancy-idem-key-1";
    const body = (userId: string) => ({ userId, amount: 5000, currency: "KES", method: "mpesa", reference: `IDEM-${userId}` });
    const first = await api.fastify.inject({ method: "POST", url: "/deposit", headers: { ...headersA, ...json, "idempotency-key": key }, payload: body(userA) });
    expect(first.statusCode, first.body).toBe(200);
    const second = await api.fastify.inject({ method: "POST", url: "/deposit", headers: { ...headersB, ...json, "idempotency-key": key }, payload: body("tenancy-user-b") });
    expect(second.statusCode, second.body).toBe(200);
    expect(second.json().id).not.toBe(first.json().id);
    expect(second.json().partnerId).toBe(partnerB);
  });

  test("a payout Idempotency-Key (the payout's reference) is B's own, not A's payout replayed", async () => {
    const key = "tenancy-payout-key";
    const payload = { userId: userA, amount: 1000, currency: "KES", destination: { type: "mpesa", account: "+254700000001" } };
    const asA = await api.fastify.inject({ method: "POST", url: "/payouts", headers: { ...headersA, ...json, "idempotency-key": key }, payload });
    expect(asA.statusCode, asA.body).toBe(200);
    const asB = await api.fastify.inject({ method: "POST", url: "/payouts", headers: { ...headersB, ...json, "idempotency-key": key }, payload });
    expect(asB.statusCode, asB.body).toBe(404);
    expect(asB.body).not.toContain(asA.json().id);
  });

  test("B registering A's contract id is refused without a word about A's contract", async () => {
    const response = await api.fastify.inject({
      method: "POST",
      url: "/contracts",
      headers: { ...headersB, ...json },
      payload: { id: a.contractId, consumerId: "tenancy-user-b", producerId: "tenancy-producer-b", currency: "KES", expectedAmount: 1000 },
    });
    expect(response.statusCode, response.body).toBe(409);
    expect(leaksA(response.body)).toBe(false);
  });
});

describe("end-user tokens name their partner", () => {
  test("A's user with B's partner claim reaches nothing of A's", async () => {
    const asAUser = await api.fastify.inject({ method: "GET", url: `/api/v1/deposits?userId=${userA}`, headers: await api.credentials.user(userA, partnerA) });
    expect(asAUser.statusCode, asAUser.body).toBe(200);
    expect(asAUser.json().items.length).toBeGreaterThan(0);
    const forged = await api.fastify.inject({ method: "GET", url: `/api/v1/deposits?userId=${userA}`, headers: await api.credentials.user(userA, partnerB) });
    expect(forged.statusCode, forged.body).toBe(404);
  });
});

test("a staff share lets B reach A's user, audited", async () => {
  const userC = "tenancy-user-shared";
  const deposit = await api.fastify.inject({ method: "POST", url: "/deposit", headers: { ...headersA, ...json }, payload: { userId: userC, amount: 5000, currency: "KES", method: "mpesa", reference: "SHARE-1" } });
  expect(deposit.statusCode, deposit.body).toBe(200);
  const balanceUrl = `/trpc/balances.getForUser?input=${encodeURIComponent(JSON.stringify({ userId: userC }))}`;
  const before = await api.fastify.inject({ method: "GET", url: balanceUrl, headers: headersB });
  expect(before.statusCode, before.body).toBe(404);
  const shared = await adminPost(`/admin/partners/${partnerB}/users/${userC}/share`, {});
  expect(shared).toEqual({ partnerId: partnerB, userId: userC, shared: true });
  const after = await api.fastify.inject({ method: "GET", url: balanceUrl, headers: headersB });
  expect(after.statusCode, after.body).toBe(200);
  const transactions = await api.fastify.inject({ method: "GET", url: `/transactions?userId=${userC}`, headers: headersB });
  expect(transactions.statusCode, transactions.body).toBe(200);
  expect(await api.database.db.auditLog.count({ where: { action: "partner.user_shared", target: `user:${userC}` } })).toBe(1);
});

describe("a malformed id is 400 naming its field; a well-formed id of another partner 404", () => {
  test("REST path parameter: a payout id that cannot exist is 400, A's is 404", async () => {
    const malformed = await api.fastify.inject({ method: "GET", url: "/api/v1/payouts/not-a-payout-id", headers: headersB });
    expect(malformed.statusCode, malformed.body).toBe(400);
    expect(malformed.json().error.fields.map((f: { path: string }) => f.path)).toEqual(["payoutId"]);
    const foreign = await api.fastify.inject({ method: "GET", url: `/api/v1/payouts/${a.payoutId}`, headers: headersB });
    expect(foreign.statusCode, foreign.body).toBe(404);
    expect(foreign.json().error.fields.map((f: { path: string }) => f.path)).toEqual(["payoutId"]);
  });

  test("tRPC: a user id longer than any can be is 400 naming userId, A's user 404", async () => {
    const url = (userId: string) => `/trpc/balances.getForUser?input=${encodeURIComponent(JSON.stringify({ userId }))}`;
    const malformed = await api.fastify.inject({ method: "GET", url: url("u".repeat(121)), headers: headersB });
    expect(malformed.statusCode, malformed.body).toBe(400);
    expect(malformed.json().error.data.fields.map((f: { path: string }) => f.path)).toEqual(["userId"]);
    const foreign = await api.fastify.inject({ method: "GET", url: url(userA), headers: headersB });
    expect(foreign.statusCode, foreign.body).toBe(404);
  });

  test("a malformed user id in a request that claims users is refused before it is claimed", async () => {
    const userId = "claim me? no".repeat(2);
    const response = await api.fastify.inject({
      method: "POST",
      url: "/deposit",
      headers: { ...headersB, ...json },
      payload: { userId, amount: 5000, currency: "KES", method: "mpesa", reference: "MALFORMED-USER-1" },
    });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json().error.fields.map((f: { path: string }) => f.path)).toContain("userId");
    expect(await api.database.db.user.count({ where: { id: userId } })).toBe(0);
  });
});
