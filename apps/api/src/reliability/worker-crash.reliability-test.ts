// Scenario 3: SIGKILL the worker process during a 2,000-payout batch, then restart it.
import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { afterAll, beforeAll, test } from "vitest";
import { startPayoutHarness, type PayoutHarness } from "../testing/payouts-harness";
import { reportScenario, scaled } from "../testing/reliability";
import { killWorkerMidBatch } from "../testing/worker-processes";

let database: TestDatabase;
let harness: PayoutHarness;

beforeAll(async () => {
  database = await createTestDatabase();
  harness = await startPayoutHarness({ db: database.db, databaseUrl: database.url, settings: { runWaitMs: 0 } });
});

afterAll(async () => {
  await harness?.stop();
  await database?.drop();
});

test("SIGKILL of the worker during a 2,000-payout batch → every payout paid or failed exactly once, none paid twice", async () => {
  const total = scaled(2000, 40);
  const { atKill, final, sandboxPayments } = await killWorkerMidBatch(harness, { total, killAfter: Math.round(total / 5), prefix: "reliability_crash" });
  await reportScenario(
    "scenario 3 (worker SIGKILL mid-batch)",
    database.db,
    `${total} payouts, killed after ${(atKill.paid ?? 0) + (atKill.failed ?? 0)} done, final ${final.paid} paid + ${final.failed} failed, ${sandboxPayments} sandbox payments, no payout id paid twice`,
  );
});
