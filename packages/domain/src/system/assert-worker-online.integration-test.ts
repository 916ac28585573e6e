import { DomainError, errorStatus } from "@agrinet/core";
import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { afterAll, beforeAll, expect, test } from "vitest";
import { assertWorkerOnline } from "./assert-worker-online";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});

test("no heartbeat, or only a stale one, is WORKER_OFFLINE (503) saying how to start the worker", async () => {
  const offline = await assertWorkerOnline({ db: database.db }).catch((error: unknown) => error);
  expect(offline).toBeInstanceOf(DomainError);
  expect((offline as DomainError).code).toBe("WORKER_OFFLINE");
  expect(errorStatus[(offline as DomainError).code].http).toBe(503);
  expect((offline as DomainError).message).toContain("pnpm start");

  await database.db.workerHeartbeat.create({
    data: { workerId: "w-stale", hostname: "h", pid: 1, beatAt: new Date(Date.now() - 60_000) },
  });
  await expect(assertWorkerOnline({ db: database.db })).rejects.toMatchObject({ code: "WORKER_OFFLINE" });

  await database.db.workerHeartbeat.create({ data: { workerId: "w-alive", hostname: "h", pid: 2 } });
  await expect(assertWorkerOnline({ db: database.db })).resolves.toBeUndefined();
});
