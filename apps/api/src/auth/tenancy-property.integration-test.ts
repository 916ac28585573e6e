// Issue #21: two partners act at random on a shared pool of user ids and references; after
// every run each partner's view (its deposits, payouts, the users it reaches) equals a simple
// model filtered to its own records, and the ledger verifies.
import { verifyLedger } from "@agrinet/domain";
import { partnerScopes } from "@agrinet/router";
import fc from "fast-check";
import { beforeAll, expect, test } from "vitest";
import { apiForFile } from "../testing/api-for-file";

const api = apiForFile();
const json = { "content-type": "application/json" };
const partners: Array<{ id: string; headers: Record<string, string> }> = [];

beforeAll(async () => {
  const admin = { ...(await api.credentials.staff("admin")), ...json };
  for (const name of ["Model A", "Model B"]) {
    const partner = await api.fastify.inject({ method: "POST", url: "/admin/partners", headers: admin, payload: { name } });
    const key = await api.fastify.inject({
      method: "POST",
      url: `/admin/partners/${partner.json().id}/keys`,
      headers: admin,
      payload: { name, scopes: [...partnerScopes] },
    });
    partners.push({ id: partner.json().id, headers: { "x-api-key": key.json().key } });
  }
  await api.database.db.workerHeartbeat.create({ data: { workerId: "model-worker", hostname: "h", pid: 1 } });
});

type Command =
  | { kind: "deposit"; partner: number; user: number; reference: number; amount: number }
  | { kind: "payout"; partner: number; user: number; amount: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({
    kind: fc.constant("deposit" as const),
    partner: fc.integer({ min: 0, max: 1 }),
    user: fc.integer({ min: 0, max: 3 }),
    reference: fc.integer({ min: 0, max: 3 }),
    amount: fc.integer({ min: 1_000, max: 50_000 }),
  }),
  fc.record({
    kind: fc.constant("payout" as const),
    partner: fc.integer({ min: 0, max: 1 }),
    user: fc.integer({ min: 0, max: 3 }),
    amount: fc.integer({ min: 500, max: 20_000 }),
  }),
);

let run = 0;

test("each partner's view equals the model filtered to its own records", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 12 }), async (commands) => {
      run++;
      const userId = (n: number) => `model-${run}-user-${n}`;
      // The model: a user is the first claimer's; references are per partner; a wallet holds
      // what its owner's confirmed deposits put in, less what payouts hold.
      const owner = new Map<string, number>();
      const references = [new Set<string>(), new Set<string>()];
      const deposits: Array<{ partner: number; id: string }> = [];
      const payouts: Array<{ partner: number; id: string }> = [];
      const balance = new Map<string, number>();

      for (const c of commands) {
        const partner = partners[c.partner]!;
        const user = userId(c.user);
        if (c.kind === "deposit") {
          const reference = `model-${run}-ref-${c.reference}`;
          const response = await api.fastify.inject({
            method: "POST",
            url: "/deposit",
            headers: { ...partner.headers, ...json },
            payload: { userId: user, amount: c.amount, currency: "KES", method: "mpesa", reference },
          });
          if (!owner.has(user)) owner.set(user, c.partner);
          if (owner.get(user) !== c.partner) {
            expect(response.statusCode, response.body).toBe(404);
          } else if (references[c.partner]!.has(reference)) {
            expect(response.statusCode, response.body).toBe(409);
          } else {
            expect(response.statusCode, response.body).toBe(200);
            references[c.partner]!.add(reference);
            deposits.push({ partner: c.partner, id: response.json().id });
            const confirm = await api.fastify.inject({
              method: "POST",
              url: `/deposit/${response.json().id}/confirm`,
              headers: { ...(await api.credentials.staff("operator")), ...json },
              payload: { confirmedBy: "model", evidenceUrl: "https://cdn.example.org/r.jpg" },
            });
            expect(confirm.statusCode, confirm.body).toBe(200);
            balance.set(user, (balance.get(user) ?? 0) + c.amount);
          }
        } else {
          const response = await api.fastify.inject({
            method: "POST",
            url: "/payouts",
            headers: { ...partner.headers, ...json },
            payload: { userId: user, amount: c.amount, currency: "KES", destination: { type: "mpesa", account: "+254700000001" } },
          });
          if (owner.get(user) !== c.partner) {
            expect(response.statusCode, response.body).toBe(404);
          } else if ((balance.get(user) ?? 0) < c.amount) {
            expect(response.statusCode, response.body).toBe(400);
          } else {
            expect(response.statusCode, response.body).toBe(200);
            payouts.push({ partner: c.partner, id: response.json().id });
            balance.set(user, balance.get(user)! - c.amount);
          }
        }
      }

      for (const [index, partner] of partners.entries()) {
        for (const [url, expected] of [
          ["/api/v1/deposits?limit=200", deposits],
          ["/api/v1/payouts?limit=200", payouts],
        ] as const) {
          const response = await api.fastify.inject({ method: "GET", url, headers: partner.headers });
          const ids = (response.json().items as Array<{ id: string; userId: string }>)
            .filter((item) => item.userId.startsWith(`model-${run}-`))
            .map((item) => item.id)
            .sort();
          expect(ids).toEqual(expected.filter((r) => r.partner === index).map((r) => r.id).sort());
        }
        for (const n of [0, 1, 2, 3]) {
          const user = userId(n);
          const response = await api.fastify.inject({
            method: "GET",
            url: `/trpc/balances.getForUser?input=${encodeURIComponent(JSON.stringify({ userId: user }))}`,
            headers: partner.headers,
          });
          if (owner.get(user) === index) {
            expect(response.statusCode, response.body).toBe(200);
            const wallet = (response.json().result.data.balances as Array<{ currency: string; available: string }>).find((b) => b.currency === "KES");
            expect(BigInt(wallet?.available ?? "0")).toBe(BigInt(balance.get(user) ?? 0));
          } else {
            expect(response.statusCode, response.body).toBe(404);
          }
        }
      }
    }),
    { numRuns: 15 },
  );
  const report = await verifyLedger(api.database.db);
  expect(report.ok, JSON.stringify(report)).toBe(true);
});
