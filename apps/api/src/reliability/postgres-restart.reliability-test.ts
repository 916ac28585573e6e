// Scenario 4: PostgreSQL stops and starts again (same data directory, same port) while partners
// keep calling the API and a worker process runs. Its own embedded server: the suite's shared one
// must stay up.
import type { ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDb, type Db } from "@agrinet/db";
import { freePort, startEmbeddedPostgres, type RunningPostgres } from "@agrinet/db/embedded";
import { applyMigrations, withPgClient } from "@agrinet/db/migrate";
import { specExamples } from "@agrinet/schemas";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createTestCredentials, type Headers } from "../testing/credentials";
import { eventually, startPayoutHarness, type PayoutHarness } from "../testing/payouts-harness";
import { reportScenario, scaled } from "../testing/reliability";
import { workerProcesses, type WorkerProcesses } from "../testing/worker-processes";

let dataRoot: string;
let port: number;
let server: RunningPostgres | undefined;
let db: Db;
let harness: PayoutHarness;
let workers: WorkerProcesses;
let worker: ChildProcess;

const startServer = () => startEmbeddedPostgres({ dataDir: join(dataRoot, "data"), port, persistent: true, durability: "full", maxConnections: 200 });

beforeAll(async () => {
  dataRoot = await mkdtemp(join(tmpdir(), "agrinet-reliability-pg-"));
  port = await freePort();
  server = await startServer();
  await withPgClient(server.url(), (client) => client.query("create database agrinet"));
  const url = server.url("agrinet");
  await applyMigrations(url);
  db = createDb({ connectionString: url, maxConnections: 10 });
  harness = await startPayoutHarness({ db, databaseUrl: url, settings: { runWaitMs: 0 }, app: { rateLimitPerMinute: 1_000_000 } });
  workers = workerProcesses(harness);
  worker = await workers.start();
});

afterAll(async () => {
  await workers?.stopAll();
  await harness?.stop();
  await db?.$disconnect();
  await server?.stop();
  if (dataRoot) await rm(dataRoot, { recursive: true, force: true });
});

type Outcome = { status: number; code?: string; ms: number; reference: string; phase: "before" | "outage" | "after" };

test("PostgreSQL restarted under load → 503s during the outage (no 500, no hang), every acknowledged deposit kept, the worker reconnects", async () => {
  const clients = 8;
  const credentials = createTestCredentials({ fastify: harness.api, db });
  const partner: Headers = await credentials.partner(["deposits:write", "payouts:write"]);
  let phase: Outcome["phase"] = "before";
  let running = true;
  const outcomes: Outcome[] = [];

  async function client(n: number) {
    for (let i = 0; running; i++) {
      const reference = `RESTART-${n}-${i}`;
      const started = Date.now();
      const requestPhase = phase;
      const response = await fetch(`${harness.apiUrl}/deposit`, {
        method: "POST",
        headers: { ...partner, "content-type": "application/json", "idempotency-key": randomUUID() },
        body: JSON.stringify({ ...specExamples.createDeposit, userId: `user_restart_${n}`, reference, metadata: {} }),
        signal: AbortSignal.timeout(60_000),
      });
      const body = (await response.json()) as { error?: { code: string; message: string; requestId: string } };
      outcomes.push({ status: response.status, code: body.error?.code, ms: Date.now() - started, reference, phase: requestPhase });
      if (response.status >= 500) await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  const load = Promise.all(Array.from({ length: clients }, (_, n) => client(n)));
  const minimum = scaled(50, 10);
  await eventually(async () => outcomes.length, (n) => n >= minimum, 60_000);

  phase = "outage";
  await server!.stop();
  server = undefined;
  const outageStarted = outcomes.length;
  await eventually(async () => outcomes.length - outageStarted, (n) => n >= minimum, 60_000);
  server = await startServer();
  phase = "after";
  const afterStarted = outcomes.length;
  await eventually(
    async () => outcomes.slice(afterStarted).filter((o) => o.status === 200).length,
    (n) => n >= minimum,
    120_000,
  );
  running = false;
  await load;

  // Every answer is a success or a 503 in the envelope; none took longer than the pool's wait.
  const byStatus: Record<string, number> = {};
  for (const o of outcomes) byStatus[`${o.phase} ${o.status}${o.code ? ` ${o.code}` : ""}`] = (byStatus[`${o.phase} ${o.status}${o.code ? ` ${o.code}` : ""}`] ?? 0) + 1;
  const unexpected = outcomes.filter((o) => !(o.status === 200 || (o.status === 503 && o.code === "SERVICE_UNAVAILABLE")));
  expect(unexpected, JSON.stringify(byStatus)).toEqual([]);
  const outage503 = outcomes.filter((o) => o.phase === "outage" && o.status === 503).length;
  expect(outage503).toBeGreaterThan(0);
  const slowest = Math.max(...outcomes.map((o) => o.ms));
  expect(slowest).toBeLessThan(30_000);

  // Everything acknowledged is there, and nothing refused was half-done.
  const acknowledged = outcomes.filter((o) => o.status === 200).map((o) => o.reference);
  const stored = new Set((await db.deposit.findMany({ select: { reference: true } })).map((d) => d.reference));
  expect(acknowledged.filter((reference) => !stored.has(reference))).toEqual([]);

  // The worker process lived through it: a payout queued now is paid.
  await harness.fund("user_after_restart", 5_000n);
  const created = await fetch(`${harness.apiUrl}/payouts`, {
    method: "POST",
    headers: { ...partner, "content-type": "application/json" },
    body: JSON.stringify({ userId: "user_after_restart", amount: 5000, currency: "KES", destination: { type: "mpesa", account: "+254712345678" } }),
  });
  expect(created.status).toBe(200);
  const payoutId = ((await created.json()) as { id: string }).id;
  await harness.caller().payouts.runPayouts({});
  const paid = await eventually(() => db.payout.findUniqueOrThrow({ where: { id: payoutId } }), (p) => p.status === "paid", 120_000);
  expect(paid.status).toBe("paid");
  expect({ exitCode: worker.exitCode, signal: worker.signalCode }).toEqual({ exitCode: null, signal: null });

  await reportScenario(
    "scenario 4 (PostgreSQL restart)",
    db,
    `${outcomes.length} requests (${Object.entries(byStatus).map(([k, v]) => `${v}× ${k}`).join(", ")}), slowest answer ${slowest} ms, ` +
      `${acknowledged.length} acknowledged deposits all present, payout after the restart paid by the same worker process`,
  );
});
