// Scenario 7: ten thousand malformed requests across every documented endpoint, through the
// REST fuzzer (rest/testing/openapi-fuzz.ts), on a database that already holds money.
import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { externalAccount, postLedgerTransaction, userWalletAccount, verifyLedger } from "@agrinet/domain";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, test } from "vitest";
import { documentedOperations, fuzzCredentials, fuzzOpenApiOperations, pretendPayoutWorkerAlive } from "../rest/testing/openapi-fuzz";
import { buildTestApp } from "../rest/testing/test-app";
import { reportScenario, scaled } from "../testing/reliability";

let database: TestDatabase;
let fastify: FastifyInstance;

beforeAll(async () => {
  database = await createTestDatabase();
  ({ fastify } = await buildTestApp(database, { rateLimitPerMinute: 1_000_000_000, restBodyLimit: 64 * 1024 }));
  // Balances to protect: the fuzz's user ids include the spec's.
  for (const userId of ["user_buyer1", "user_prod7"]) {
    await postLedgerTransaction(database.db, {
      idempotencyKey: `fuzz-funding:${userId}`,
      kind: "deposit",
      postings: [
        { account: externalAccount("mpesa", "KES"), amount: -1_000_000n, currency: "KES" },
        { account: userWalletAccount(userId, "KES"), amount: 1_000_000n, currency: "KES" },
      ],
    });
  }
});

afterAll(async () => {
  await fastify?.close();
  await database?.drop();
});

// Health probes take no input; /readyz answers a designed 503 while no worker beats.
const isProbe = (operation: { path: string }) => operation.path === "/healthz" || operation.path === "/readyz";

test("10,000 malformed requests across all endpoints, most with valid credentials → zero 5xx, every error in the envelope, ledger consistent", async () => {
  const document = (await fastify.inject({ method: "GET", url: "/openapi.json" })).json();
  const operations = documentedOperations(document).filter((operation) => !isProbe(operation));
  const total = scaled(10_000, operations.length);
  const runs = Math.ceil(total / operations.length);
  expect((await verifyLedger(database.db)).ok).toBe(true);

  await pretendPayoutWorkerAlive(database.db);
  const { requests, byStatus } = await fuzzOpenApiOperations({
    fastify,
    document,
    runs,
    seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined,
    skip: isProbe,
    credentials: await fuzzCredentials(fastify, database.db),
  });

  expect(requests).toBeGreaterThanOrEqual(total);
  expect(Object.keys(byStatus).filter((status) => Number(status) >= 500)).toEqual([]);
  expect(byStatus[400]).toBeGreaterThan(0);
  // Most requests reach validation (before credentials: ~48% stopped at 401, ~24% at 415).
  expect((byStatus[401] ?? 0) + (byStatus[415] ?? 0)).toBeLessThan(requests / 2);
  // Valid credentialed requests may move money; the ledger stays balanced and within its rules.
  expect((await verifyLedger(database.db)).ok).toBe(true);

  const statuses = Object.entries(byStatus)
    .map(([status, count]) => `${count}×${status}`)
    .join(", ");
  await reportScenario(
    "scenario 7 (malformed requests)",
    database.db,
    `${requests} requests over ${operations.length} operations (${statuses}), zero 5xx, ledger consistent`,
  );
});
