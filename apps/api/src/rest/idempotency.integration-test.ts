import type { Db } from "@agrinet/db";
import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, test } from "vitest";
import {
  claimIdempotencyKey,
  idempotencyScope,
  releaseIdempotencyKey,
  requestFingerprint,
  storeIdempotentResponse,
} from "./idempotency";
import { createTestCredentials, type Headers } from "../testing/credentials";
import type { ExampleState } from "./testing/example-router";
import { buildTestApp } from "./testing/test-app";

let database: TestDatabase;
let fastify: FastifyInstance;
let state: ExampleState;
/** A second API process on the same database and the same example world. */
let other: FastifyInstance;
/** A partner's key: keys are kept per caller, and a caller without credentials has none. */
let partner: Headers;

/**
 * While on, the key's bookkeeping writes (release, store) fail as they do when the database has
 * gone away: the failure that made the request itself answer 503.
 */
const outage = { on: false };

/** The test database's client, but its idempotency-key writes fail during an `outage`. */
function withOutage(db: Db): Db {
  const failing = new Set(["update", "updateMany", "delete", "deleteMany"]);
  const keys = new Proxy(db.idempotencyKey, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (outage.on && failing.has(String(property))) {
          return Promise.reject(Object.assign(new Error("Can't reach database server at 127.0.0.1:5432"), { code: "P1001" }));
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return new Proxy(db, {
    get(target, property) {
      if (property === "idempotencyKey") return keys;
      const value: unknown = Reflect.get(target, property);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

beforeAll(async () => {
  database = await createTestDatabase();
  ({ fastify, state } = await buildTestApp(database, { effectDelayMs: 150, db: withOutage(database.db) }));
  ({ fastify: other } = await buildTestApp(database, { effectDelayMs: 150, state }));
  partner = await createTestCredentials({ fastify, db: database.db }).partner(["deposits:write"]);
});

afterAll(async () => {
  await fastify?.close();
  await other?.close();
  await database?.drop();
});

let n = 0;
const fresh = (prefix: string) => `${prefix}-${++n}-${Date.now()}`;

function create(key: string, body: Record<string, unknown>, raw?: string, app = fastify) {
  return app.inject({
    method: "POST",
    url: "/api/v1/examples/transfers",
    payload: raw ?? JSON.stringify(body),
    headers: { ...partner, "content-type": "application/json", "idempotency-key": key },
  });
}

/** The scope the test partner's keys are kept in, read from a key it used. */
async function partnerScope(): Promise<string> {
  const key = fresh("probe");
  await create(key, body(fresh("ref")));
  return (await database.db.idempotencyKey.findFirstOrThrow({ where: { key } })).scope;
}

const body = (reference: string) => ({ userId: "user_buyer1", amount: 250000, currency: "KES", reference });

test("same key, same body → the stored response, byte for byte, and one effect", async () => {
  const key = fresh("k");
  const reference = fresh("ref");
  const before = state.effects;
  const first = await create(key, body(reference));
  const second = await create(key, body(reference));
  expect(first.statusCode).toBe(200);
  expect(second.statusCode).toBe(200);
  expect(second.body).toBe(first.body);
  expect(second.headers["idempotent-replayed"]).toBe("true");
  expect(first.headers["idempotent-replayed"]).toBeUndefined();
  expect(state.effects).toBe(before + 1);
});

test("the same body re-serialised (other key order, whitespace) is the same request", async () => {
  const key = fresh("k");
  const reference = fresh("ref");
  const first = await create(key, body(reference));
  const reordered = `{ "reference": "${reference}", "currency": "KES",\n "amount": 250000, "userId": "user_buyer1" }`;
  const second = await create(key, {}, reordered);
  expect(second.body).toBe(first.body);
});

test("same key, different body → 409 IDEMPOTENCY_KEY_REUSED and no effect", async () => {
  const key = fresh("k");
  await create(key, body(fresh("ref")));
  const before = state.effects;
  const response = await create(key, body(fresh("ref")));
  expect(response.statusCode).toBe(409);
  expect(response.json().error.code).toBe("IDEMPOTENCY_KEY_REUSED");
  expect(state.effects).toBe(before);
});

test("the same key on another endpoint is a different request → 409", async () => {
  const key = fresh("k");
  await fastify.inject({ method: "POST", url: "/api/v1/examples/run", headers: { ...partner, "idempotency-key": key } });
  const response = await create(key, body(fresh("ref")));
  expect(response.json().error.code).toBe("IDEMPOTENCY_KEY_REUSED");
});

test("error responses from the procedure are replayed too", async () => {
  const key = fresh("k");
  const first = await create(key, body("DECLINE-idem"));
  const second = await create(key, body("DECLINE-idem"));
  expect(first.statusCode).toBe(402);
  expect(second.statusCode).toBe(402);
  expect(second.body).toBe(first.body);
});

test("a request refused by validation is not stored: the corrected retry with the same key runs", async () => {
  const key = fresh("k");
  const reference = fresh("ref");
  const invalid = await create(key, { ...body(reference), amount: -5 });
  expect(invalid.statusCode).toBe(400);
  expect(await database.db.idempotencyKey.count({ where: { key } })).toBe(0);
  const misspelt = await create(key, { ...body(reference), ammount: 5 });
  expect(misspelt.statusCode).toBe(400);
  const before = state.effects;
  const corrected = await create(key, body(reference));
  expect(corrected.statusCode).toBe(200);
  expect(corrected.headers["idempotent-replayed"]).toBeUndefined();
  expect(state.effects).toBe(before + 1);
  expect((await create(key, body(reference))).headers["idempotent-replayed"]).toBe("true");
});

test("callers without credentials share no scope: their keys are not kept", async () => {
  const key = fresh("k");
  const anonymous = (reference: string) =>
    fastify.inject({
      method: "POST",
      url: "/api/v1/examples/transfers",
      payload: JSON.stringify(body(reference)),
      headers: { "content-type": "application/json", "idempotency-key": key },
    });
  const first = await anonymous(fresh("ref"));
  const stranger = await anonymous(fresh("ref"));
  expect(first.statusCode).toBe(200);
  expect(stranger.statusCode).toBe(200);
  expect(stranger.body).not.toBe(first.body);
  expect(stranger.headers["idempotent-replayed"]).toBeUndefined();
  expect(await database.db.idempotencyKey.count({ where: { key } })).toBe(0);
});

test("tRPC mutations honour Idempotency-Key with the same table and rules", async () => {
  const key = fresh("k");
  const reference = fresh("ref");
  const call = (input: unknown) =>
    fastify.inject({
      method: "POST",
      url: "/trpc/example.createTransfer",
      payload: JSON.stringify(input),
      headers: { ...partner, "content-type": "application/json", "idempotency-key": key },
    });
  const invalid = await call({ ...body(reference), ammount: 1 });
  expect(invalid.statusCode).toBe(400);
  const before = state.effects;
  const first = await call(body(reference));
  const second = await call(body(reference));
  expect(first.statusCode).toBe(200);
  expect(second.body).toBe(first.body);
  expect(second.headers["idempotent-replayed"]).toBe("true");
  expect(state.effects).toBe(before + 1);
  const reused = await call(body(fresh("ref")));
  expect(reused.statusCode).toBe(409);
  expect(reused.json().error.data.code).toBe("IDEMPOTENCY_KEY_REUSED");
  expect(await database.db.idempotencyKey.count({ where: { key } })).toBe(1);
});

test("a 5xx is not stored: the retry runs again", async () => {
  const key = fresh("k");
  const first = await create(key, body("CRASH"));
  expect(first.statusCode).toBe(500);
  expect(await database.db.idempotencyKey.count({ where: { key } })).toBe(0);
  const second = await create(key, body("CRASH"));
  expect(second.statusCode).toBe(500);
  expect(second.json().error.requestId).not.toBe(first.json().error.requestId);
});

test("concurrent requests with one key → one effect; the others get the replay or 409 IN_USE", async () => {
  const key = fresh("k");
  const reference = fresh("ref");
  const before = state.effects;
  const responses = await Promise.all(Array.from({ length: 8 }, () => create(key, body(reference))));
  expect(state.effects).toBe(before + 1);
  const winners = responses.filter((r) => r.statusCode === 200 && r.headers["idempotent-replayed"] === undefined);
  expect(winners).toHaveLength(1);
  for (const response of responses) {
    if (response === winners[0]) continue;
    if (response.statusCode === 409) {
      expect(response.json().error.code).toBe("IDEMPOTENCY_KEY_IN_USE");
      expect(response.headers["retry-after"]).toBe("1");
    }
    else expect(response.body).toBe(winners[0]!.body);
  }
  const after = await create(key, body(reference));
  expect(after.body).toBe(winners[0]!.body);
});

test("a key is kept 24 h; once expired it may be used again", async () => {
  const key = fresh("k");
  const reference = fresh("ref");
  await create(key, body(reference));
  const row = await database.db.idempotencyKey.findFirstOrThrow({ where: { key } });
  expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBeGreaterThanOrEqual(24 * 3600 * 1000);
  await database.db.idempotencyKey.update({ where: { id: row.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
  const response = await create(key, body(fresh("ref")));
  expect(response.statusCode).toBe(200);
  expect(response.headers["idempotent-replayed"]).toBeUndefined();
});

test("a key abandoned by a request that died is taken over by its retry, not by another body", async () => {
  const key = fresh("k");
  const reference = fresh("ref");
  const fingerprint = requestFingerprint("POST", "/api/v1/examples/transfers", body(reference));
  await database.db.idempotencyKey.create({
    data: {
      scope: await partnerScope(),
      key,
      requestFingerprint: fingerprint,
      method: "POST",
      path: "/api/v1/examples/transfers",
      lockedAt: new Date(Date.now() - 10 * 60_000),
      expiresAt: new Date(Date.now() + 3600_000),
    },
  });
  expect((await create(key, body(fresh("ref")))).json().error.code).toBe("IDEMPOTENCY_KEY_REUSED");
  expect((await create(key, body(reference))).statusCode).toBe(200);
});

test.each(["", "x".repeat(256), "has space", "ünïcode"])("an invalid key %j → 400", async (key) => {
  const response = await fastify.inject({
    method: "POST",
    url: "/api/v1/examples/run",
    headers: { "idempotency-key": key },
  });
  expect(response.statusCode).toBe(400);
  expect(response.json().error.fields[0].path).toBe("Idempotency-Key");
});

test("keys are scoped per partner (its keys share them) and per user", async () => {
  const partnerA = idempotencyScope({ kind: "partner", partnerId: "partner_a", keyId: "a", name: "A", scopes: [] });
  const partnerB = idempotencyScope({ kind: "partner", partnerId: "partner_b", keyId: "b", name: "B", scopes: [] });
  expect(partnerA).not.toBe(partnerB);
  expect(idempotencyScope({ kind: "partner", partnerId: "partner_a", keyId: "a2", name: "A's other key", scopes: [] })).toBe(partnerA);
  expect(idempotencyScope({ kind: "user", partnerId: "partner_default", userId: "u1" })).toBe("user:u1");
  const claim = (scope: string, fingerprint: string) =>
    claimIdempotencyKey(database.db, { scope, key: "shared-key", fingerprint, method: "POST", path: "/x" });
  expect((await claim(partnerA, "f1")).kind).toBe("owner");
  expect((await claim(partnerB, "f2")).kind).toBe("owner");
});

/** The first request fails with 503 while the database is away, so its key cannot be released. */
async function failDuringOutage(key: string, reference: string) {
  outage.on = true;
  try {
    const first = await create(key, body(reference));
    expect(first.statusCode).toBe(503);
    expect(first.json().error.code).toBe("SERVICE_UNAVAILABLE");
  } finally {
    outage.on = false;
  }
  // The key is still marked in progress: nothing could free it while the database was away.
  expect(await database.db.idempotencyKey.count({ where: { key, responseStatus: null } })).toBe(1);
}

test("a retry after a 503 whose key could not be released runs, once", async () => {
  const key = fresh("k");
  const reference = fresh("UNAVAILABLE-ONCE");
  await failDuringOutage(key, reference);
  const before = state.effects;
  const retry = await create(key, body(reference));
  expect(retry.statusCode).toBe(200);
  expect(retry.headers["idempotent-replayed"]).toBeUndefined();
  expect(retry.json().reference).toBe(reference);
  expect(state.effects).toBe(before + 1);
  const replay = await create(key, body(reference));
  expect(replay.body).toBe(retry.body);
  expect(replay.headers["idempotent-replayed"]).toBe("true");
});

test("concurrent retries after a 503 whose key could not be released → one effect", async () => {
  const key = fresh("k");
  const reference = fresh("UNAVAILABLE-ONCE");
  await failDuringOutage(key, reference);
  const before = state.effects;
  const retries = await Promise.all([
    ...Array.from({ length: 4 }, () => create(key, body(reference))),
    ...Array.from({ length: 4 }, () => create(key, body(reference), undefined, other)),
  ]);
  expect(state.effects).toBe(before + 1);
  const ran = retries.filter((r) => r.statusCode === 200 && r.headers["idempotent-replayed"] === undefined);
  expect(ran).toHaveLength(1);
  for (const response of retries) {
    if (response.statusCode !== 200) expect(response.json().error.code).toBe("IDEMPOTENCY_KEY_IN_USE");
  }
});

test("another API process's retry after a 503 runs as soon as the key is freed, not 2 minutes later", async () => {
  const key = fresh("k");
  const reference = fresh("UNAVAILABLE-ONCE");
  await failDuringOutage(key, reference);
  const before = state.effects;
  // The process that answered 503 frees the key once the database is back; until then the other
  // process answers IDEMPOTENCY_KEY_IN_USE with Retry-After: 1, as for any request still running.
  let retry = await create(key, body(reference), undefined, other);
  for (let attempt = 0; retry.statusCode === 409 && attempt < 20; attempt++) {
    expect(retry.json().error.code).toBe("IDEMPOTENCY_KEY_IN_USE");
    await new Promise((resolve) => setTimeout(resolve, 250));
    retry = await create(key, body(reference), undefined, other);
  }
  expect(retry.statusCode).toBe(200);
  expect(state.effects).toBe(before + 1);
});

test("an answer that could not be stored during an outage is stored afterwards and replayed", async () => {
  const key = fresh("k");
  const reference = fresh("ref");
  outage.on = true;
  let first;
  try {
    first = await create(key, body(reference));
  } finally {
    outage.on = false;
  }
  // The procedure's answer stands: answering 503 after the effect would invite a second one.
  expect(first.statusCode).toBe(200);
  const before = state.effects;
  const retry = await create(key, body(reference));
  expect(retry.statusCode).toBe(200);
  expect(retry.body).toBe(first.body);
  expect(retry.headers["idempotent-replayed"]).toBe("true");
  expect(state.effects).toBe(before);
});

test("a late release or store never touches a key another request has taken over since", async () => {
  const scope = "anonymous";
  const key = fresh("k");
  const claim = (fingerprint: string) =>
    claimIdempotencyKey(database.db, { scope, key, fingerprint, method: "POST", path: "/x" });
  const first = await claim("f1");
  if (first.kind !== "owner") throw new Error("expected to own the new key");
  // The first owner is presumed dead; a retry takes the key over.
  await database.db.idempotencyKey.update({
    where: { id: first.id },
    data: { lockedAt: new Date(Date.now() - 10 * 60_000) },
  });
  const second = await claim("f1");
  if (second.kind !== "owner") throw new Error("expected the retry to take the key over");
  expect(second.id).toBe(first.id);
  await releaseIdempotencyKey(database.db, first);
  expect(await storeIdempotentResponse(database.db, first, 200, "{\"stale\":true}")).toBe(false);
  const row = await database.db.idempotencyKey.findUniqueOrThrow({ where: { id: first.id } });
  expect(row.responseStatus).toBeNull();
  expect(await storeIdempotentResponse(database.db, second, 200, "{}")).toBe(true);
});
