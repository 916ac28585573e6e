// The failover drill (`pnpm test:failover`, deploy/failover-drill.sh): the API and a worker process
// on the Patroni cluster of deploy/cluster.sh, reaching PostgreSQL only through HAProxy's write
// port, under a steady load of deposits, confirmations and payouts through the Daraja sandbox,
// while the primary's postmaster is killed with SIGKILL. Patroni promotes the synchronous
// standby; nothing acknowledged may be lost, nothing paid twice, and everything reconnects alone.
import { execFileSync, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { createDb, type Db } from "@agrinet/db";
import { applyMigrations, withPgClient } from "@agrinet/db/migrate";
import { jobTasks } from "@agrinet/job-queue";
import { listJobs } from "@agrinet/job-queue/testing";
import { afterAll, beforeAll, expect, test } from "vitest";
import { devAuthSettings } from "../auth/settings";
import { startApiProcess, stopApiProcesses, type ApiProcess } from "../testing/api-processes";
import { createTestCredentials, type Headers } from "../testing/credentials";
import { eventually, startPayoutHarness, type PayoutHarness } from "../testing/payouts-harness";
import { reportScenario, scaled } from "../testing/reliability";
import { payoutStatusCounts, workerProcesses, type WorkerProcesses } from "../testing/worker-processes";

const clusterScript = fileURLToPath(new URL("../../../../deploy/cluster.sh", import.meta.url));
const adminUrl = process.env.CLUSTER_ADMIN_URL;
const database = "agrinet_failover";

let db: Db;
let harness: PayoutHarness;
let workers: WorkerProcesses;
let worker: ChildProcess;
let api: ApiProcess | undefined;
let url: string;

beforeAll(async () => {
  if (!adminUrl) throw new Error("CLUSTER_ADMIN_URL is not set: run `pnpm test:failover` (deploy/failover-drill.sh)");
  await withPgClient(adminUrl, async (client) => {
    await client.query(`drop database if exists ${database} with (force)`);
    await client.query(`create database ${database}`);
  });
  const target = new URL(adminUrl);
  target.pathname = `/${database}`;
  url = target.toString();
  await applyMigrations(url);
  db = createDb({ connectionString: url, maxConnections: 10 });
  harness = await startPayoutHarness({ db, databaseUrl: url, settings: { runWaitMs: 0 }, app: { rateLimitPerMinute: 1_000_000 } });
  // The load goes to the real API program (its notification hub LISTENs through HAProxy too);
  // the harness brings the Daraja sandbox and an in-process caller for payout runs.
  api = await startApiProcess({ ...harness.workerEnv, DATABASE_URL: url, MPESA_RESULT_TIMEOUT_SECONDS: "10", LOG_LEVEL: process.env.FAILOVER_LOG_LEVEL ?? "error" });
  workers = workerProcesses(harness);
  worker = await workers.start({ MPESA_CALLBACK_BASE_URL: `${api.url}/payments/mpesa`, LOG_LEVEL: process.env.FAILOVER_LOG_LEVEL ?? "error" });
});

afterAll(async () => {
  await workers?.stopAll();
  if (api) await stopApiProcesses([api]);
  await harness?.stop();
  await db?.$disconnect();
});

type Outcome = { kind: "deposit" | "confirm" | "payout"; status: number; code?: string; startedAt: number; endedAt: number; id?: string; retry?: boolean };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An EventSource-like reader: reconnects with Last-Event-ID whenever its stream ends. */
function resumingStream(streamUrl: string, headers: Headers) {
  const ids: bigint[] = [];
  let connections = 0;
  let running = true;
  let abort = new AbortController();
  const done = (async () => {
    while (running) {
      try {
        const last = ids.at(-1);
        abort = new AbortController();
        const response = await fetch(streamUrl, {
          headers: { ...headers, accept: "text/event-stream", ...(last === undefined ? {} : { "last-event-id": String(last) }) },
          signal: abort.signal,
        });
        if (response.status === 200 && response.body) {
          connections++;
          const decoder = new TextDecoder();
          let buffer = "";
          for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
            buffer += decoder.decode(chunk, { stream: true });
            let end: number;
            while ((end = buffer.indexOf("\n\n")) >= 0) {
              const block = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              const id = block.split("\n").find((line) => line.startsWith("id: "));
              if (id) ids.push(BigInt(id.slice(4)));
            }
          }
        } else {
          await response.body?.cancel();
        }
      } catch {
        // The API or the database went away mid-stream: reconnect, as EventSource does.
      }
      if (running) await sleep(500);
    }
  })();
  return {
    ids,
    get connections() {
      return connections;
    },
    /** Drops the current connection, as a network blip would; the reader reconnects and resumes. */
    drop() {
      abort.abort();
    },
    async close() {
      running = false;
      abort.abort();
      await done;
    },
  };
}

test("kill -9 of the primary's postmaster under load → 503s (no 500) and readiness naming the database meanwhile, writes resume alone, nothing acknowledged lost, nothing paid twice", async () => {
  const credentials = createTestCredentials({ fastify: harness.api, db });
  const partner: Headers = await credentials.partner(["deposits:write", "payouts:write"]);
  // Staff confirm deposits (partner keys may not, by default); payouts and deposits come from a partner.
  const operator: Headers = { ...(await credentials.staff("operator")), origin: devAuthSettings.trustedOrigins[0]! };
  const post = async (path: string, body: unknown, as: Headers = partner) => {
    const response = await fetch(`${api!.url}${path}`, {
      method: "POST",
      headers: { ...as, "content-type": "application/json", "idempotency-key": randomUUID() },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    const json = (await response.json().catch(() => ({}))) as { id?: string; error?: { code: string } };
    return { status: response.status, id: json.id, code: json.error?.code };
  };

  const depositUsers = ["user_failover_0", "user_failover_1", "user_failover_2"];
  const producers = Array.from({ length: 10 }, (_, i) => `user_failover_producer_${i}`);
  for (const producer of producers) await harness.fund(producer, 10_000_000n);
  const stream = resumingStream(`${api!.url}/notifications/stream?userId=${depositUsers[0]}`, await credentials.user(depositUsers[0]!));

  let running = true;
  let killedAt = Number.POSITIVE_INFINITY;
  const outcomes: Outcome[] = [];
  const unconfirmed: string[] = [];
  const record = (outcome: Outcome) => {
    outcomes.push(outcome);
    return outcome;
  };

  async function depositClient(n: number) {
    for (let i = 0; running; i++) {
      const startedAt = Date.now();
      const created = await post("/deposit", { userId: depositUsers[n % depositUsers.length], amount: 1000 + n, currency: "KES", method: "bank", reference: `FAILOVER-${n}-${i}`, metadata: {} });
      record({ kind: "deposit", ...created, startedAt, endedAt: Date.now() });
      if (created.status === 200 && created.id) unconfirmed.push(created.id);
      // Confirm the oldest unconfirmed deposit; one refused during the outage is tried again.
      const depositId = unconfirmed.shift();
      if (depositId) {
        const confirmStarted = Date.now();
        const confirmed = await post(`/deposit/${depositId}/confirm`, { evidenceUrl: `https://bank.example/statements/${depositId}` }, operator);
        record({ kind: "confirm", ...confirmed, id: depositId, startedAt: confirmStarted, endedAt: Date.now() });
        if (confirmed.status === 503) unconfirmed.push(depositId);
      }
      if (created.status >= 500) await sleep(100);
    }
  }

  async function payoutClient(n: number) {
    for (let i = 0; running; i++) {
      const startedAt = Date.now();
      const created = await post("/payouts", {
        userId: producers[(n * 7 + i) % producers.length],
        amount: 1000,
        currency: "KES",
        // Some go to the sandbox's slow number, so callbacks are in flight when the primary dies.
        destination: { type: "mpesa", account: i % 5 === 0 ? "+254700000005" : `+2547${String(20_000_000 + n * 100_000 + i).padStart(8, "0")}` },
      });
      record({ kind: "payout", ...created, startedAt, endedAt: Date.now() });
      await sleep(created.status >= 500 ? 100 : 50);
    }
  }

  // A payout run every half second, as PAYOUTS_AUTO_RUN_CRON would.
  const runs = { ok: 0, refused: 0 };
  async function payoutRunner() {
    while (running) {
      await harness.caller().payouts.runPayouts({}).then(() => runs.ok++, () => runs.refused++);
      await sleep(500);
    }
  }

  const readiness: Array<{ at: number; status: number; failing?: string[] }> = [];
  async function readinessProbe() {
    while (running) {
      const response = await fetch(`${api!.url}/readyz`, { signal: AbortSignal.timeout(30_000) }).catch(() => undefined);
      const body = (await response?.json().catch(() => ({}))) as { failing?: string[] } | undefined;
      readiness.push({ at: Date.now(), status: response?.status ?? 0, failing: body?.failing });
      await sleep(250);
    }
  }

  const load = Promise.all([
    ...Array.from({ length: 4 }, (_, n) => depositClient(n)),
    ...Array.from({ length: 2 }, (_, n) => payoutClient(n)),
    payoutRunner(),
    readinessProbe(),
  ]);

  const acknowledged = (o: Outcome) => o.status === 200 && o.kind !== "confirm";
  const minimum = scaled(150, 20);
  await eventually(async () => outcomes.filter(acknowledged).length, (n) => n >= minimum, 120_000);
  await eventually(() => payoutStatusCounts(db), (c) => (c.paid ?? 0) >= 10, 120_000);

  const killedNode = execFileSync(clusterScript, ["kill-primary"], { encoding: "utf8" }).trim();
  killedAt = Date.now();
  // The stream's client loses its connection during the outage too, and must resume from its
  // Last-Event-ID once the API can read the database again.
  stream.drop();
  await eventually(async () => outcomes.filter((o) => acknowledged(o) && o.startedAt > killedAt).length, (n) => n >= minimum, 180_000);
  running = false;
  await load;
  const newLeader = execFileSync(clusterScript, ["leader"], { encoding: "utf8" }).trim();
  expect(newLeader).not.toBe(killedNode);

  // Only successes and 503s in the error envelope; a confirmation retried after a 503 may find
  // its first attempt committed (409).
  const byStatus: Record<string, number> = {};
  for (const o of outcomes) {
    const key = `${o.kind} ${o.status}${o.code ? ` ${o.code}` : ""}`;
    byStatus[key] = (byStatus[key] ?? 0) + 1;
  }
  const unexpected = outcomes.filter((o) => !(o.status === 200 || (o.status === 503 && o.code === "SERVICE_UNAVAILABLE") || (o.kind === "confirm" && o.status === 409)));
  expect(unexpected, JSON.stringify(byStatus)).toEqual([]);

  // The write gap: from the kill to the first write acknowledged that started after it.
  const firstAfter = Math.min(...outcomes.filter((o) => acknowledged(o) && o.startedAt > killedAt).map((o) => o.endedAt));
  const writeGapSeconds = (firstAfter - killedAt) / 1000;
  const refused = outcomes.filter((o) => o.status === 503).length;

  // Readiness said 503 and named the database while writes were refused; never a 500.
  expect(readiness.filter((r) => r.status !== 200 && r.status !== 503)).toEqual([]);
  const notReady = readiness.filter((r) => r.at >= killedAt && r.status === 503);
  if (refused > 0) expect(notReady.some((r) => r.failing?.includes("database"))).toBe(true);
  expect(readiness.at(-1)?.status).toBe(200);

  // Every acknowledged deposit, confirmation and payout is in the promoted primary.
  const deposits = new Map((await db.deposit.findMany({ select: { id: true, status: true } })).map((d) => [d.id, d.status]));
  const ackedDeposits = outcomes.filter((o) => o.kind === "deposit" && o.status === 200);
  expect(ackedDeposits.filter((o) => !deposits.has(o.id!))).toEqual([]);
  const ackedConfirms = outcomes.filter((o) => o.kind === "confirm" && o.status === 200);
  expect(ackedConfirms.filter((o) => deposits.get(o.id!) !== "confirmed")).toEqual([]);
  const ackedPayouts = outcomes.filter((o) => o.kind === "payout" && o.status === 200).map((o) => o.id!);
  const storedPayouts = new Set((await db.payout.findMany({ select: { id: true } })).map((p) => p.id));
  expect(ackedPayouts.filter((id) => !storedPayouts.has(id))).toEqual([]);

  // The same worker process finishes every payout (its jobs and LISTEN connection recovered):
  // one last run takes what was still queued, then each payout is paid or failed, once.
  await harness.caller().payouts.runPayouts({});
  const final = await eventually(() => payoutStatusCounts(db), (c) => Object.keys(c).every((s) => s === "paid" || s === "failed"), 300_000);
  expect(Object.keys(final).filter((s) => s !== "paid" && s !== "failed"), JSON.stringify(final)).toEqual([]);
  expect({ exitCode: worker.exitCode, signal: worker.signalCode }).toEqual({ exitCode: null, signal: null });
  const paidIds = new Set((await db.payout.findMany({ where: { status: "paid" }, select: { id: true } })).map((p) => p.id));
  const sandboxIds = harness.sandbox.payments().map((p) => p.originatorConversationId);
  const paidTwice = sandboxIds.length - new Set(sandboxIds).size;
  expect(paidTwice).toBe(0);
  expect(new Set(sandboxIds)).toEqual(paidIds);
  expect(await db.ledgerTransaction.count({ where: { kind: "payout_settle" } })).toBe(paidIds.size);
  const paidAfterKill = await db.payout.count({ where: { status: "paid", createdAt: { gt: new Date(killedAt) } } });
  expect(paidAfterKill).toBeGreaterThan(0);
  const jobsLeft = await eventually(
    async () => (await withPgClient(url, (c) => listJobs(c, { task: [jobTasks.processPayout, jobTasks.payoutStatusSweep, jobTasks.payoutAutoRun], due: true }))).length,
    (n) => n === 0,
    120_000,
  );
  expect(jobsLeft).toBe(0);

  // The stream resumed with Last-Event-ID across the failover: every notification of its user,
  // in order, once, including those written after the promotion.
  const recipient = { audience: "user" as const, recipientId: depositUsers[0]! };
  const expectedIds = (await db.notification.findMany({ where: recipient, select: { id: true }, orderBy: { id: "asc" } })).map((n) => n.id);
  await eventually(async () => stream.ids.length, (n) => n >= expectedIds.length, 60_000);
  await stream.close();
  expect(stream.ids).toEqual(expectedIds);
  const notifiedAfterKill = await db.notification.count({ where: { ...recipient, createdAt: { gt: new Date(killedAt) } } });
  expect(notifiedAfterKill).toBeGreaterThan(0);
  expect(stream.connections).toBeGreaterThanOrEqual(2);

  await reportScenario(
    "failover (Patroni, kill -9 of the primary's postmaster)",
    db,
    `${killedNode} killed, ${newLeader} promoted; write gap ${writeGapSeconds.toFixed(1)} s; ` +
      `${outcomes.length} requests (${Object.entries(byStatus).map(([k, v]) => `${v}× ${k}`).join(", ")}); ` +
      `${ackedDeposits.length} deposits, ${ackedConfirms.length} confirmations, ${ackedPayouts.length} payouts acknowledged, all found; ` +
      `payouts ${JSON.stringify(final)}, paid twice: ${paidTwice}; ${runs.ok} payout runs (${runs.refused} refused); ` +
      `readiness 503 naming the database ${notReady.filter((r) => r.failing?.includes("database")).length}× ; ` +
      `stream: ${stream.ids.length} notifications over ${stream.connections} connections (resumed with Last-Event-ID), none missing or repeated`,
  );
});
