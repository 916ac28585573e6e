// Scenario 2: one deposit confirmed fifty times at once, over HTTP, by staff.
import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { getAccountBalance, userWalletAccount } from "@agrinet/domain";
import { specExamples } from "@agrinet/schemas";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, test } from "vitest";
import { buildTestApp } from "../rest/testing/test-app";
import { devAuthSettings } from "../auth/settings";
import { createTestCredentials } from "../testing/credentials";
import { reportScenario, scaled } from "../testing/reliability";

let database: TestDatabase;
let fastify: FastifyInstance;

beforeAll(async () => {
  database = await createTestDatabase();
  ({ fastify } = await buildTestApp(database, { rateLimitPerMinute: 1_000_000 }));
});

afterAll(async () => {
  await fastify?.close();
  await database?.drop();
});

test("one deposit confirmed 50 times concurrently → one 200, the rest 409, one credit", async () => {
  const confirmations = scaled(50, 2);
  const credentials = createTestCredentials({ fastify, db: database.db });
  const partner = await credentials.partner(["deposits:write"]);
  const admin = { ...(await credentials.staff("admin")), origin: devAuthSettings.trustedOrigins[0]! };
  const userId = "user_confirm_race";
  const created = await fastify.inject({
    method: "POST",
    url: "/deposit",
    headers: partner,
    payload: { ...specExamples.createDeposit, userId, reference: "RELIABILITY-CONFIRM-RACE", metadata: {} },
  });
  expect(created.statusCode).toBe(200);
  const deposit = created.json();

  const responses = await Promise.all(
    Array.from({ length: confirmations }, () =>
      fastify.inject({ method: "POST", url: `/deposit/${deposit.id}/confirm`, headers: admin, payload: specExamples.confirmDeposit }),
    ),
  );
  const statuses = responses.map((r) => r.statusCode).sort();
  expect(statuses).toEqual([200, ...Array(confirmations - 1).fill(409)]);
  expect(new Set(responses.filter((r) => r.statusCode === 409).map((r) => r.json().error.code)).size).toBe(1);

  const wallet = await getAccountBalance(database.db, { account: userWalletAccount(userId, "KES") });
  expect(wallet.posted).toBe(BigInt(deposit.amount));
  const credits = await database.db.ledgerTransaction.count({ where: { idempotencyKey: { startsWith: `deposit:${deposit.id}` } } });
  expect(credits).toBe(1);
  const events = await database.db.domainEvent.count({ where: { aggregateId: deposit.id, type: "deposit.confirmed" } });
  expect(events).toBe(1);

  await reportScenario(
    "scenario 2 (concurrent confirms)",
    database.db,
    `${confirmations} confirmations, 1 accepted, ${confirmations - 1} conflicts, ${credits} ledger credit(s), ${events} deposit.confirmed event`,
  );
});
