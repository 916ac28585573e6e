import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { externalAccount, postLedgerTransaction, recordWorkerHeartbeat, userWalletAccount } from "@agrinet/domain";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createTestCredentials, type Headers } from "../testing/credentials";
import { buildTestApp } from "./testing/test-app";

// POST /payouts over REST: the Idempotency-Key header is the payout's own reference when the
// body has none, so a retry is recognised by the payout itself, not only by the key's record,
// which another API process may not see yet, or which has expired, or was freed after a 503.

let database: TestDatabase;
let fastify: FastifyInstance;
let partner: Headers;
const producer = "user_idem_producer";

beforeAll(async () => {
  database = await createTestDatabase();
  ({ fastify } = await buildTestApp(database));
  partner = await createTestCredentials({ fastify, db: database.db }).partner(["payouts:write"]);
  await recordWorkerHeartbeat({ db: database.db, workerId: "idem-test-worker", hostname: "test", pid: process.pid });
  await postLedgerTransaction(database.db, {
    idempotencyKey: "idem-payout-funding",
    kind: "deposit",
    postings: [
      { account: externalAccount("mpesa", "KES"), amount: -10_000_000n, currency: "KES" },
      { account: userWalletAccount(producer, "KES"), amount: 10_000_000n, currency: "KES" },
    ],
  });
});

afterAll(async () => {
  await fastify?.close();
  await database?.drop();
});

let n = 0;
const freshKey = () => `payout-key-${++n}-${Date.now()}`;
const payout = (extra: Record<string, unknown> = {}) => ({
  userId: producer,
  amount: 10_000,
  currency: "KES",
  destination: { type: "mpesa", account: "+254712345678" },
  ...extra,
});

function post(key: string, body: Record<string, unknown>) {
  return fastify.inject({
    method: "POST",
    url: "/payouts",
    payload: JSON.stringify(body),
    headers: { ...partner, "content-type": "application/json", "idempotency-key": key },
  });
}

test("without a reference in the body, the Idempotency-Key is the payout's reference", async () => {
  const key = freshKey();
  const response = await post(key, payout());
  expect(response.statusCode, response.body).toBe(200);
  const stored = await database.db.payout.findUniqueOrThrow({ where: { id: response.json().id } });
  expect(stored.reference).toBe(key);
});

test("a retry the key's record no longer answers (expired, or another process) returns the same payout", async () => {
  const key = freshKey();
  const first = await post(key, payout());
  expect(first.statusCode, first.body).toBe(200);
  // What a retry meets after the record expired, or on a process that never saw it.
  await database.db.idempotencyKey.deleteMany({ where: { key } });
  const retry = await post(key, payout());
  expect(retry.statusCode, retry.body).toBe(200);
  expect(retry.json().id).toBe(first.json().id);
  expect(retry.json().replayed).toBe(true);
  expect(await database.db.payout.count({ where: { reference: key } })).toBe(1);
});

test("the same reference in the body and the header is one request", async () => {
  const key = freshKey();
  const response = await post(key, payout({ reference: key }));
  expect(response.statusCode, response.body).toBe(200);
  expect((await database.db.payout.findUniqueOrThrow({ where: { id: response.json().id } })).reference).toBe(key);
});

test("a body reference that differs from the Idempotency-Key → 400 naming reference, nothing created", async () => {
  const key = freshKey();
  const before = await database.db.payout.count();
  const response = await post(key, payout({ reference: `${key}-other` }));
  expect(response.statusCode).toBe(400);
  expect(response.json().error.code).toBe("VALIDATION_FAILED");
  expect(response.json().error.fields.map((f: { path: string }) => f.path)).toEqual(["reference"]);
  expect(await database.db.payout.count()).toBe(before);
  // Refused before the key was claimed: the corrected request may use the same key.
  expect((await post(key, payout())).statusCode).toBe(200);
});

test("a key too long to be a reference → 400 naming the header, not a reference the caller never sent", async () => {
  const response = await post("k".repeat(201), payout());
  expect(response.statusCode).toBe(400);
  expect(response.json().error.fields.map((f: { path: string }) => f.path)).toEqual(["Idempotency-Key"]);
});
