import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, test } from "vitest";
import { verifyLedger } from "@agrinet/domain";
import { documentedOperations, fuzzCredentials, fuzzOpenApiOperations, pretendPayoutWorkerAlive } from "./testing/openapi-fuzz";
import { buildTestApp } from "./testing/test-app";

// A few hundred requests per operation keep the suite quick; FUZZ_RUNS=10000 for a deep run.
const runs = Number(process.env.FUZZ_RUNS ?? 200);

let database: TestDatabase;
let fastify: FastifyInstance;

beforeAll(async () => {
  database = await createTestDatabase();
  ({ fastify } = await buildTestApp(database, { rateLimitPerMinute: 1_000_000_000, restBodyLimit: 64 * 1024 }));
});

afterAll(async () => {
  await fastify?.close();
  await database?.drop();
});

test(`${runs} random and malformed requests per documented operation, most with valid credentials → never an undocumented 5xx, the ledger consistent`, { timeout: 600_000 }, async () => {
  const document = (await fastify.inject({ method: "GET", url: "/openapi.json" })).json();
  expect(documentedOperations(document).length).toBeGreaterThanOrEqual(7);

  await pretendPayoutWorkerAlive(database.db);
  const { requests, byStatus } = await fuzzOpenApiOperations({
    fastify,
    document,
    runs,
    seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined,
    credentials: await fuzzCredentials(fastify, database.db),
  });

  expect(requests).toBeGreaterThanOrEqual(runs * 7);
  // The generators must reach past validation, or the fuzz would only exercise the 400 path.
  expect(byStatus[200]).toBeGreaterThan(0);
  expect(byStatus[400]).toBeGreaterThan(0);
  // Most requests pass the access check: credentials are real, not only junk.
  expect((byStatus[401] ?? 0) + (byStatus[415] ?? 0)).toBeLessThan(requests / 2);
  // Credentialed requests may move money (that is their point); whatever they did, the ledger balances.
  expect((await verifyLedger(database.db)).ok).toBe(true);
});
