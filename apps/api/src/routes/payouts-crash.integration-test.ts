import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { afterAll, beforeAll, expect, test } from "vitest";
import { eventually, startPayoutHarness, type PayoutHarness } from "../testing/payouts-harness";

const workerDir = fileURLToPath(new URL("../../../worker", import.meta.url));

let database: TestDatabase;
let harness: PayoutHarness;
const workers: ChildProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  // The run returns at once: this test watches the batch itself.
  harness = await startPayoutHarness({ db: database.db, databaseUrl: database.url, settings: { runWaitMs: 0 } });
});

afterAll(async () => {
  for (const worker of workers) if (worker.exitCode === null && worker.signalCode === null) worker.kill("SIGKILL");
  await harness?.stop();
  await database?.drop();
});

/** The real worker program (apps/worker/src/main.ts) as its own process. */
function spawnWorker(): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: workerDir,
    env: {
      ...process.env,
      ...harness.workerEnv,
      DATABASE_URL: database.url,
      LOG_LEVEL: "fatal",
      WORKER_CONCURRENCY: "16",
      WORKER_HEARTBEAT_SECONDS: "1",
      WORKER_DEAD_AFTER_SECONDS: "3",
      MPESA_RESULT_TIMEOUT_SECONDS: "10",
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  workers.push(child);
  return child;
}

async function waitForHeartbeat(pid: number) {
  await eventually(
    () => database.db.workerHeartbeat.count({ where: { pid } }),
    (n) => n > 0,
    60_000,
  );
}

const statusCounts = async () => {
  const rows = await database.db.payout.groupBy({ by: ["status"], _count: true });
  return Object.fromEntries(rows.map((r) => [r.status, r._count])) as Record<string, number>;
};

test("SIGKILL of the worker mid-batch: after a restart every payout is paid or failed once, none paid twice", { timeout: 900_000 }, async () => {
  const startedAt = Date.now();
  const first = spawnWorker();
  await waitForHeartbeat(first.pid!);

  const users = Array.from({ length: 20 }, (_, i) => `user_crash${i}`);
  for (const user of users) await harness.fund(user, 50n * 1000n);
  const total = 1000;

  const failingEvery = 20; // +254700000002: the sandbox refuses it (invalid number)
  const created: string[] = [];
  for (let start = 0; start < total; start += 25) {
    const chunk = await Promise.all(
      Array.from({ length: 25 }, (_, j) => {
        const i = start + j;
        return harness.caller().payouts.createPayout({
          userId: users[i % users.length]!,
          amount: 1000,
          currency: "KES",
          destination: { type: "mpesa", account: i % failingEvery === 0 ? "+254700000002" : `+2547${String(10_000_000 + i).padStart(8, "0")}` },
        });
      }),
    );
    created.push(...chunk.map((p) => p.id));
  }

  const run = await harness.caller().payouts.runPayouts({});
  if (run.dryRun) throw new Error("expected a real run");
  expect(run.total).toBe(total);

  // Kill it while the batch is under way.
  await eventually(statusCounts, (c) => (c.paid ?? 0) + (c.failed ?? 0) >= 100, 120_000);
  first.kill("SIGKILL");
  await new Promise((resolve) => first.once("exit", resolve));
  const atKill = await statusCounts();
  expect((atKill.paid ?? 0) + (atKill.failed ?? 0)).toBeLessThan(total);

  const second = spawnWorker();
  await waitForHeartbeat(second.pid!);
  const final = await eventually(statusCounts, (c) => (c.paid ?? 0) + (c.failed ?? 0) === total, 480_000);
  expect(final).toEqual({ paid: total - total / failingEvery, failed: total / failingEvery });

  // The sandbox's own record: each paid payout exactly once, no refused one paid at all.
  const payments = harness.sandbox.payments();
  const paidIds = new Set(
    (await database.db.payout.findMany({ where: { status: "paid" }, select: { id: true } })).map((p) => p.id),
  );
  const sandboxIds = payments.map((p) => p.originatorConversationId);
  expect(new Set(sandboxIds).size).toBe(sandboxIds.length);
  expect(new Set(sandboxIds)).toEqual(paidIds);

  // The ledger settled each paid payout once and released every failed one.
  expect(await database.db.ledgerTransaction.count({ where: { kind: "payout_settle" } })).toBe(paidIds.size);
  expect(await database.db.ledgerHold.count({ where: { status: "pending" } })).toBe(0);
  const batch = await harness.caller().payouts.getPayoutBatch({ batchId: run.batchId });
  expect(batch).toMatchObject({ total, processed: paidIds.size, failed: total - paidIds.size, queued: 0 });

  console.info(`crash test: ${total} payouts in ${Math.round((Date.now() - startedAt) / 1000)} s, killed at ${JSON.stringify(atKill)}`);
  second.kill("SIGTERM");
  await new Promise((resolve) => second.once("exit", resolve));
});
