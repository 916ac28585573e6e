import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { pino } from "pino";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startWorker } from "./worker";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
});

test("a running worker keeps a heartbeat and removes it when it stops", async () => {
  const worker = await startWorker({
    db: database.db,
    connectionString: database.url,
    concurrency: 1,
    heartbeatSeconds: 1,
    log: pino({ level: "silent" }),
    tasks: {},
  });
  const first = await database.db.workerHeartbeat.findUniqueOrThrow({
    where: { workerId: worker.workerId },
  });
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  const later = await database.db.workerHeartbeat.findUniqueOrThrow({
    where: { workerId: worker.workerId },
  });
  expect(later.beatAt.getTime()).toBeGreaterThan(first.beatAt.getTime());

  await worker.stop();
  expect(await database.db.workerHeartbeat.count()).toBe(0);
});
