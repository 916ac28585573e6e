// #21 item 4: saved payout destinations, over REST with partner keys. The API runs with a
// one-hour cooling-off, so a new destination is refused until its row is made older.
import { partnerScopes } from "@agrinet/router";
import { beforeAll, expect, test } from "vitest";
import { apiForFile } from "../testing/api-for-file";

const api = apiForFile({
  app: {
    payouts: {
      settings: { minAmount: 500n, maxAttempts: 5, runWaitMs: 15_000, destinationCoolingOffHours: 1 },
      rails: {} as never,
      statusCheckAfterMs: 60_000,
    },
  },
});
const json = { "content-type": "application/json" };
const user = "dest-user-a";
let headersA: Record<string, string> = {};
let headersB: Record<string, string> = {};

async function call(method: "GET" | "POST" | "DELETE", url: string, headers: Record<string, string>, payload?: unknown) {
  return api.fastify.inject({ method, url, headers: payload === undefined ? headers : { ...headers, ...json }, payload: payload as never });
}

async function admin(url: string, payload: unknown) {
  const response = await api.fastify.inject({ method: "POST", url, headers: { ...(await api.credentials.staff("admin")), ...json }, payload: payload as never });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

const heldOn = async () => api.database.db.ledgerHold.count();
const ageDestination = (id: string) => api.database.db.$executeRaw`update payout_destinations set created_at = now() - interval '2 hours' where id = ${id}`;

beforeAll(async () => {
  const partnerA = (await admin("/admin/partners", { name: "A" })).id;
  const partnerB = (await admin("/admin/partners", { name: "B" })).id;
  headersA = { "x-api-key": (await admin(`/admin/partners/${partnerA}/keys`, { name: "A", scopes: [...partnerScopes] })).key };
  headersB = { "x-api-key": (await admin(`/admin/partners/${partnerB}/keys`, { name: "B", scopes: [...partnerScopes] })).key };
  await api.database.db.workerHeartbeat.create({ data: { workerId: "dest-worker", hostname: "h", pid: 1 } });
  const deposit = await call("POST", "/deposit", headersA, { userId: user, amount: 500000, currency: "KES", method: "mpesa", reference: "DEST-1" });
  expect(deposit.statusCode, deposit.body).toBe(200);
  await admin(`/deposit/${deposit.json().id}/confirm`, { confirmedBy: "admin_ops", evidenceUrl: "https://cdn.example.org/receipt.jpg" });
});

test("a saved destination: audited, listed, payable only after the cooling-off, removable", async () => {
  const saved = await call("POST", `/users/${user}/payout-destinations`, headersA, { destination: { type: "mpesa", account: "+254 712-345-678" } });
  expect(saved.statusCode, saved.body).toBe(200);
  const destination = saved.json();
  expect(destination).toMatchObject({ userId: user, created: true, destination: { type: "mpesa", account: "+254712345678" } });
  const again = await call("POST", `/users/${user}/payout-destinations`, headersA, { destination: { type: "mpesa", account: "+254712345678" } });
  expect(again.json()).toMatchObject({ id: destination.id, created: false });
  expect(await api.database.db.auditLog.count({ where: { action: "payout_destination.created", target: `payout_destination:${destination.id}` } })).toBe(1);

  const holds = await heldOn();
  const early = await call("POST", "/payouts", headersA, { userId: user, amount: 1000, currency: "KES", destinationId: destination.id });
  expect(early.statusCode, early.body).toBe(409);
  expect(early.json().error.code).toBe("DESTINATION_COOLING_OFF");
  expect(JSON.stringify(early.json())).toContain("destinationId");
  expect(await heldOn()).toBe(holds);

  await ageDestination(destination.id);
  const paid = await call("POST", "/payouts", headersA, { userId: user, amount: 1000, currency: "KES", destinationId: destination.id });
  expect(paid.statusCode, paid.body).toBe(200);
  expect(paid.json().destination).toEqual({ type: "mpesa", account: "+254712345678" });
  expect(await heldOn()).toBe(holds + 1);

  const listed = await call("GET", `/users/${user}/payout-destinations`, headersA);
  expect(listed.json().items.map((d: { id: string }) => d.id)).toEqual([destination.id]);

  // Another partner neither sees nor removes it, nor pays to it.
  expect((await call("DELETE", `/users/${user}/payout-destinations/${destination.id}`, headersB)).statusCode).toBe(404);
  const foreign = await call("POST", "/payouts", headersB, { userId: "dest-user-b", amount: 1000, currency: "KES", destinationId: destination.id });
  expect(foreign.statusCode, foreign.body).toBe(404);
  expect(JSON.stringify(foreign.json())).toContain("destinationId");

  const removed = await call("DELETE", `/users/${user}/payout-destinations/${destination.id}`, headersA);
  expect(removed.statusCode, removed.body).toBe(200);
  expect(await api.database.db.auditLog.count({ where: { action: "payout_destination.removed", target: `payout_destination:${destination.id}` } })).toBe(1);
  expect((await call("GET", `/users/${user}/payout-destinations`, headersA)).json().items).toEqual([]);
  const gone = await call("POST", "/payouts", headersA, { userId: user, amount: 1000, currency: "KES", destinationId: destination.id });
  expect(gone.statusCode, gone.body).toBe(404);
  expect(await heldOn()).toBe(holds + 1);
});

test("an inline destination is saved with the payout, once, and waits its cooling-off like a saved one", async () => {
  const holds = await heldOn();
  const inline = { type: "mpesa", account: "+254799000111" };
  const refused = await call("POST", "/payouts", headersA, { userId: user, amount: 1000, currency: "KES", destination: inline });
  expect(refused.statusCode, refused.body).toBe(409);
  expect(JSON.stringify(refused.json())).toContain('"destination"');
  expect(await heldOn()).toBe(holds);

  const listed = (await call("GET", `/users/${user}/payout-destinations`, headersA)).json().items;
  expect(listed).toHaveLength(1);
  expect(listed[0].destination).toEqual(inline);
  await ageDestination(listed[0].id);

  const paid = await call("POST", "/payouts", headersA, { userId: user, amount: 1000, currency: "KES", destination: inline });
  expect(paid.statusCode, paid.body).toBe(200);
  expect(await heldOn()).toBe(holds + 1);
  expect((await call("GET", `/users/${user}/payout-destinations`, headersA)).json().items).toHaveLength(1);

  const both = await call("POST", "/payouts", headersA, { userId: user, amount: 1000, currency: "KES", destination: inline, destinationId: listed[0].id });
  expect(both.statusCode, both.body).toBe(400);
  const neither = await call("POST", "/payouts", headersA, { userId: user, amount: 1000, currency: "KES" });
  expect(neither.statusCode, neither.body).toBe(400);
  expect(JSON.stringify(neither.json())).toContain("destination");
});
