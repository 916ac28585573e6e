import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { afterAll, beforeAll, test } from "vitest";
import { startPayoutHarness, type PayoutHarness } from "../testing/payouts-harness";
import { killWorkerMidBatch } from "../testing/worker-processes";

let database: TestDatabase;
let harness: PayoutHarness;

beforeAll(async () => {
  database = await createTestDatabase();
  // The run returns at once: the check watches the batch itself.
  harness = await startPayoutHarness({ db: database.db, databaseUrl: database.url, settings: { runWaitMs: 0 } });
});

afterAll(async () => {
  await harness?.stop();
  await database?.drop();
});

test("SIGKILL of the worker mid-batch: after a restart every payout is paid or failed once, none paid twice", { timeout: 900_000 }, async () => {
  const startedAt = Date.now();
  const total = 1000;
  const { atKill } = await killWorkerMidBatch(harness, { total, killAfter: 100, prefix: "crash" });
  console.info(`crash test: ${total} payouts in ${Math.round((Date.now() - startedAt) / 1000)} s, killed at ${JSON.stringify(atKill)}`);
});
