// Scenario 8: two API processes and three worker processes on one database under a payout load.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { afterAll, beforeAll, expect, test } from "vitest";
import { devAuthSettings } from "../auth/settings";
import { startApiProcess, stopApiProcesses, type ApiProcess } from "../testing/api-processes";
import { createTestCredentials } from "../testing/credentials";
import { eventually, startPayoutHarness, type PayoutHarness } from "../testing/payouts-harness";
import { reportScenario, scaled } from "../testing/reliability";
import { connectSse, notificationsIn, type SseConnection } from "../testing/sse-client";
import { payoutStatusCounts, workerProcesses, type WorkerProcesses } from "../testing/worker-processes";

let database: TestDatabase;
let harness: PayoutHarness;
let uploadsDir: string;
let workers: WorkerProcesses;
const apis: ApiProcess[] = [];
const streams: SseConnection[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  // The harness brings the Daraja sandbox and an in-process caller; the load goes to the processes.
  harness = await startPayoutHarness({ db: database.db, databaseUrl: database.url, settings: { runWaitMs: 0 } });
  uploadsDir = await mkdtemp(join(tmpdir(), "agrinet-reliability-uploads-"));
  for (let i = 0; i < 2; i++) {
    apis.push(await startApiProcess({ ...harness.workerEnv, DATABASE_URL: database.url, UPLOADS_DIR: uploadsDir, MPESA_RESULT_TIMEOUT_SECONDS: "10" }));
  }
  workers = workerProcesses(harness);
  // Each worker sends M-Pesa's callbacks to one of the two API processes.
  for (let i = 0; i < 3; i++) {
    await workers.start({ MPESA_CALLBACK_BASE_URL: `${apis[i % 2]!.url}/payments/mpesa`, WORKER_CONCURRENCY: "8" });
  }
});

afterAll(async () => {
  streams.forEach((stream) => stream.close());
  await workers?.stopAll();
  await stopApiProcesses(apis);
  await harness?.stop();
  await database?.drop();
  if (uploadsDir) await rm(uploadsDir, { recursive: true, force: true });
});

test("2 API processes + 3 worker processes under a payout load → no double payout, each API's stream gets every event", async () => {
  const total = scaled(300, 10);
  const userId = "user_multi_process";
  const credentials = createTestCredentials({ fastify: harness.api, db: database.db });
  const partner = await credentials.partner(["payouts:write"]);
  for (const api of apis) {
    const stream = await connectSse(`${api.url}/notifications/stream?userId=${userId}`, await credentials.user(userId));
    expect(stream.status).toBe(200);
    await stream.waitFor((m) => m.some((x) => x.comment === "connected"));
    streams.push(stream);
  }

  await harness.fund(userId, BigInt(total) * 1000n);
  const payoutIds: string[] = [];
  for (let start = 0; start < total; start += 25) {
    const chunk = await Promise.all(
      Array.from({ length: Math.min(25, total - start) }, async (_, j) => {
        const i = start + j;
        const response = await fetch(`${apis[i % 2]!.url}/payouts`, {
          method: "POST",
          headers: { ...partner, "content-type": "application/json" },
          body: JSON.stringify({ userId, amount: 1000, currency: "KES", destination: { type: "mpesa", account: `+2547${String(20_000_000 + i).padStart(8, "0")}` } }),
        });
        expect(response.status).toBe(200);
        return ((await response.json()) as { id: string }).id;
      }),
    );
    payoutIds.push(...chunk);
  }

  const run = await fetch(`${apis[0]!.url}/admin/payouts/run`, {
    method: "POST",
    headers: { ...(await credentials.staff("operator")), origin: devAuthSettings.trustedOrigins[0]!, "content-type": "application/json" },
    body: "{}",
  });
  expect(run.status).toBe(200);
  const final = await eventually(() => payoutStatusCounts(database.db), (c) => c.paid === total, 600_000);
  expect(final).toEqual({ paid: total });

  // No payout id reached M-Pesa twice; the ledger settled each once.
  const sandboxIds = harness.sandbox.payments().map((p) => p.originatorConversationId);
  expect(sandboxIds.length).toBe(total);
  expect(new Set(sandboxIds)).toEqual(new Set(payoutIds));
  expect(await database.db.ledgerTransaction.count({ where: { kind: "payout_settle" } })).toBe(total);

  // Every event about these payouts reached the stream on each API process, once each (the
  // stream's ids are notification ids, so events are compared by type and payout).
  const expected = (
    await database.db.domainEvent.findMany({ where: { aggregateId: { in: payoutIds } }, select: { type: true, aggregateId: true } })
  )
    .map((e) => `${e.type} ${e.aggregateId}`)
    .sort();
  expect(expected.length).toBe(total * 3);
  for (const stream of streams) {
    await stream.waitFor((m) => notificationsIn(m).length >= expected.length, 120_000);
    expect(notificationsIn(stream.messages).map((n) => `${n.type} ${n.aggregateId}`).sort()).toEqual(expected);
  }

  await reportScenario(
    "scenario 8 (2 API + 3 worker processes)",
    database.db,
    `${total} payouts over 2 API processes, paid by 3 worker processes: ${final.paid} paid, ${sandboxIds.length} sandbox payments (none twice); ` +
      `${streams.length} streams × ${expected.length} events each, none missing or repeated`,
  );
});
