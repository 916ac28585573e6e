// `pnpm bench:api`: POST /deposit through the real API against a bare Fastify route doing one
// INSERT, both on the same throwaway embedded PostgreSQL (full durability) in the same run.
//
//   app        apps/api's server, bundled as `pnpm build` does and run by plain node, as its own process (app.ts plugin, partner key auth with a
//              key created for the run, rate limit raised out of the way, logging off), each
//              request a new deposit with a unique reference
//   bare       bench/bare-insert-server.ts: one INSERT per request, same pool size, no logging
//   worker     apps/worker's runner (bundled too) runs throughout, dispatching the deposits' outbox events
//              into notifications (its real load while deposits arrive)
// Peak RSS of the API and the worker: the highest VmRSS sampled from /proc/<pid>/status every
// 250 ms under the load; the lifetime VmHWM (start-up included) is in the note.
//
// Knobs: BENCH_API_SECONDS (15 per run), BENCH_API_CONNECTIONS (50), BENCH_API_ROUNDS (2: the
// bare route and the app alternate, so a burst of load elsewhere on the machine hits both),
// BENCH_CPU_PROF=<dir> (each process writes a V8 CPU profile there, as bench:payouts does).
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFile, mkdtemp, rm } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { createDb } from "@agrinet/db";
import { freePort, startEmbeddedPostgres } from "@agrinet/db/embedded";
import { applyMigrations, withPgClient } from "@agrinet/db/migrate";
import { createPartnerKey } from "@agrinet/domain";
import { migrateJobQueue } from "@agrinet/job-queue/runner";
import { reportFigures, type BenchFigure } from "./figures";
import { apiNodeFlags, apiProcessEnv } from "../apps/api/src/runtime-flags";
import { workerNodeFlags, workerProcessEnv } from "../apps/worker/src/runtime-flags";
import { buildServices, builtServices } from "./built-services";
import { machineLoad } from "./machine-load";
import { postmasterPid, processCpuSeconds, processTreeCpuSeconds } from "./process-cpu";

const seconds = Number(process.env.BENCH_API_SECONDS ?? 15);
const connections = Number(process.env.BENCH_API_CONNECTIONS ?? 50);
const rounds = Number(process.env.BENCH_API_ROUNDS ?? 2);
const repoRoot = join(import.meta.dirname, "..");
const say = (line: string) => process.stdout.write(`${line}\n`);
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
let stopping = false;
const children: ChildProcess[] = [];

function startProcess(name: string, script: string, env: Record<string, string>, nodeFlags: readonly string[] = []): ChildProcess {
  const loader = script.endsWith(".ts") ? ["--import", "tsx"] : [];
  const profile = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${join(process.env.BENCH_CPU_PROF, name.replace(/\W+/g, "-"))}`] : [];
  const child: ChildProcess = spawn(process.execPath, [...profile, ...nodeFlags, ...loader, script], {
    cwd: repoRoot,
    // Only what the process needs: a developer's shell variables must not change what is measured.
    env: { NODE_ENV: "production", PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", "inherit", "inherit"],
  });
  child.on("exit", (code, signal) => {
    if (!stopping) say(`${name} exited unexpectedly (code ${code}, signal ${signal})`);
  });
  return child;
}

async function stopProcess(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  await exited;
  clearTimeout(timer);
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const dead = children.find((c) => c.exitCode !== null || c.signalCode !== null);
    if (dead) throw new Error(`${what}: a process it needs exited (code ${dead.exitCode})`);
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what} not ready after ${timeoutMs / 1000} s`);
}

/** Peak (VmHWM) and current (VmRSS) resident memory of a process, in MB. */
async function memory(pid: number): Promise<{ peakMb: number; rssMb: number }> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
  return { peakMb: round(kb("VmHWM") / 1024, 1), rssMb: round(kb("VmRSS") / 1024, 1) };
}

/** Samples VmRSS every 250 ms until stopped; resolves to the highest, in MB. */
function sampleRss(pid: number): { stop(): number } {
  let highest = 0;
  const timer = setInterval(() => {
    memory(pid).then((m) => (highest = Math.max(highest, m.rssMb)), () => {});
  }, 250);
  return {
    stop() {
      clearInterval(timer);
      return highest;
    },
  };
}

type LoadResult = { requestsPerSecond: number; p50Ms: number; p99Ms: number; ok: number; failed: number };

/** CPU milliseconds per successful request, by process, over one load run. */
type CpuPerRequest = Record<string, number>;

async function measureCpu(
  processes: Record<string, () => number>,
  run: () => Promise<LoadResult>,
): Promise<{ result: LoadResult; cpu: CpuPerRequest }> {
  const before = Object.fromEntries(Object.entries(processes).map(([name, read]) => [name, read()]));
  const result = await run();
  const cpu = Object.fromEntries(
    Object.entries(processes).map(([name, read]) => [name, round(((read() - before[name]!) * 1000) / Math.max(result.ok, 1), 3)]),
  );
  return { result, cpu };
}

const describeCpu = (cpu: CpuPerRequest) =>
  Object.entries(cpu).map(([name, ms]) => `${name} ${ms}`).join(", ");

let referenceSequence = 0;
const runId = randomBytes(4).toString("hex");

async function load(url: string, headers: Record<string, string>, durationSeconds: number): Promise<LoadResult> {
  const result = await autocannon({
    url,
    connections,
    duration: durationSeconds,
    requests: [
      {
        method: "POST",
        path: "/deposit",
        headers: { "content-type": "application/json", ...headers },
        setupRequest: (request) => ({
          ...request,
          body: JSON.stringify({
            userId: `bench_user_${referenceSequence % 1000}`,
            amount: 250000,
            currency: "KES",
            method: "mpesa",
            reference: `BENCH-${runId}-${++referenceSequence}`,
          }),
        }),
      },
    ],
  });
  const ok = result["2xx"];
  return {
    requestsPerSecond: ok / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    ok,
    failed: result.non2xx + result.errors + result.timeouts,
  };
}

/** Request-weighted mean rate, median p50 and worst p99 over the rounds. */
function combine(results: LoadResult[]): LoadResult {
  const ok = results.reduce((sum, r) => sum + r.ok, 0);
  const p50s = results.map((r) => r.p50Ms).sort((a, b) => a - b);
  return {
    requestsPerSecond: results.reduce((sum, r) => sum + r.requestsPerSecond, 0) / results.length,
    p50Ms: p50s[Math.floor(p50s.length / 2)]!,
    p99Ms: Math.max(...results.map((r) => r.p99Ms)),
    ok,
    failed: results.reduce((sum, r) => sum + r.failed, 0),
  };
}

const loadAtStart = machineLoad();
const dataRoot = await mkdtemp(join(tmpdir(), "agrinet-bench-api-"));
const server = await startEmbeddedPostgres({
  dataDir: join(dataRoot, "data"),
  persistent: false,
  durability: "full",
  maxConnections: 200,
});
try {
  await withPgClient(server.url(), (c) => c.query("create database bench_api"));
  const url = server.url("bench_api");
  await applyMigrations(url);
  await migrateJobQueue(url);
  await withPgClient(url, (c) =>
    c.query(`create table bench_bare_deposits (
      id bigserial primary key, user_id text not null, amount bigint not null, currency text not null,
      reference text not null unique, created_at timestamptz not null default now())`),
  );
  const db = createDb({ connectionString: url, maxConnections: 2 });
  const key = await createPartnerKey({ db, name: "bench", scopes: ["deposits:write"], actor: "system:bench" });
  await db.$disconnect();

  const apiPort = await freePort();
  const barePort = await freePort();
  buildServices();
  const worker = startProcess("worker", builtServices.worker, { ...workerProcessEnv, DATABASE_URL: url, LOG_LEVEL: "silent" }, workerNodeFlags);
  const api = startProcess("api", builtServices.api, {
    ...apiProcessEnv,
    BETTER_AUTH_SECRET: randomBytes(32).toString("hex"),
    DATABASE_URL: url,
    API_PORT: String(apiPort),
    LOG_LEVEL: "silent",
    // The benchmark is one credential sending thousands of requests a second.
    RATE_LIMIT_PER_MINUTE: "1000000000",
  }, apiNodeFlags);
  const bare = startProcess("bare route", "bench/bare-insert-server.ts", { DATABASE_URL: url, PORT: String(barePort) });
  children.push(worker, api, bare);
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const bareUrl = `http://127.0.0.1:${barePort}`;
  // /readyz is 200 only once the database, the migrations and a live worker heartbeat are there.
  await waitFor("api and worker", async () => (await fetch(`${apiUrl}/readyz`)).ok);
  await waitFor("bare route", async () => (await fetch(`${bareUrl}/`)).status === 404);
  const apiHeaders = { "x-api-key": key.key };

  say(`api benchmark: POST /deposit, ${connections} connections, ${rounds} × ${seconds} s per side, ` +
    `${cpus().length} CPUs, ${loadAtStart.uptime}`);
  const apiSampler = sampleRss(api.pid!);
  const workerSampler = sampleRss(worker.pid!);
  await load(bareUrl, {}, 2);
  const appWarmup = await load(apiUrl, apiHeaders, 3);
  const bareRuns: LoadResult[] = [];
  const appRuns: LoadResult[] = [];
  const postgresPid = postmasterPid(join(dataRoot, "data"));
  const benchPid = process.pid;
  const postgresCpu = () => processTreeCpuSeconds(postgresPid);
  const loadGeneratorCpu = () => processCpuSeconds(benchPid);
  const bareCpus: CpuPerRequest[] = [];
  const appCpus: CpuPerRequest[] = [];
  for (let i = 0; i < rounds; i++) {
    const bareRun = await measureCpu(
      { route: () => processCpuSeconds(bare.pid!), postgres: postgresCpu, autocannon: loadGeneratorCpu },
      () => load(bareUrl, {}, seconds),
    );
    bareRuns.push(bareRun.result);
    bareCpus.push(bareRun.cpu);
    const appRun = await measureCpu(
      { api: () => processCpuSeconds(api.pid!), postgres: postgresCpu, worker: () => processCpuSeconds(worker.pid!), autocannon: loadGeneratorCpu },
      () => load(apiUrl, apiHeaders, seconds),
    );
    appRuns.push(appRun.result);
    appCpus.push(appRun.cpu);
    say(`round ${i + 1}: bare ${Math.round(bareRun.result.requestsPerSecond)} req/s (p50 ${bareRun.result.p50Ms} ms, p99 ${bareRun.result.p99Ms} ms; ` +
      `CPU ms/request: ${describeCpu(bareRun.cpu)}) | app ${Math.round(appRun.result.requestsPerSecond)} req/s (p50 ${appRun.result.p50Ms} ms, ` +
      `p99 ${appRun.result.p99Ms} ms, ${appRun.result.failed} failed; CPU ms/request: ${describeCpu(appRun.cpu)}); ` +
      `RSS now: api ${(await memory(api.pid!)).rssMb} MB, worker ${(await memory(worker.pid!)).rssMb} MB`);
  }
  const apiUnderLoadMb = apiSampler.stop();
  const apiMemory = await memory(api.pid!);
  const bareMemory = await memory(bare.pid!);

  // The worker is measured after it has caught up with the burst of events the run produced.
  const counts = () =>
    withPgClient(url, async (c) => {
      const { rows } = await c.query(`select
        (select count(*)::int from deposits) as deposits,
        (select count(*)::int from domain_events where type = 'deposit.created') as events,
        (select count(distinct n.event_id)::int from notifications n join domain_events e on e.id = n.event_id
          where e.type = 'deposit.created') as dispatched`);
      return rows[0] as { deposits: number; events: number; dispatched: number };
    });
  const dispatchStarted = Date.now();
  await waitFor("worker dispatching every deposit event", async () => {
    const c = await counts();
    return c.dispatched >= c.events;
  }, 300_000).catch((error: Error) => say(error.message));
  const dispatchLagSeconds = (Date.now() - dispatchStarted) / 1000;
  const workerUnderLoadMb = workerSampler.stop();
  const workerMemory = await memory(worker.pid!);
  const finalCounts = await counts();
  say(`deposits stored: ${finalCounts.deposits}; deposit events ${finalCounts.events}, dispatched ${finalCounts.dispatched} ` +
    `(${dispatchLagSeconds.toFixed(1)} s after the load)`);
  say(`RSS under load (highest sample): api ${apiUnderLoadMb} MB, worker ${workerUnderLoadMb} MB; ` +
    `VmHWM (lifetime, start-up included): api ${apiMemory.peakMb} MB, worker ${workerMemory.peakMb} MB, bare route ${bareMemory.peakMb} MB`);

  const app = combine(appRuns);
  const baseline = combine(bareRuns);
  const accepted = appRuns.reduce((sum, r) => sum + r.ok, appWarmup.ok);
  // autocannon stops a run with a request in flight on each connection and drops its answer; the
  // API still stores those deposits, so up to that many more are stored than were acknowledged.
  const inFlightAtStops = connections * (rounds + 1);
  const storedOk = finalCounts.deposits >= accepted && finalCounts.deposits <= accepted + inFlightAtStops;
  const stored = storedOk
    ? `every one stored (${finalCounts.deposits} with the ${finalCounts.deposits - accepted} in flight when runs stopped)`
    : `MISMATCH: ${finalCounts.deposits} stored`;
  const where = `${connections} connections, ${rounds} × ${seconds} s`;
  const figures: BenchFigure[] = [
    {
      group: "api", name: "POST /deposit throughput", value: Math.round(app.requestsPerSecond), unit: "req/s",
      baseline: { name: "bare Fastify INSERT route", value: Math.round(baseline.requestsPerSecond), unit: "req/s" },
      ratio: round(app.requestsPerSecond / baseline.requestsPerSecond), target: "ratio ≥ 0.5",
      met: app.requestsPerSecond / baseline.requestsPerSecond >= 0.5 && app.failed === 0 && storedOk,
      note: `${where}; ${app.failed} non-2xx or errors; ${accepted} deposits accepted with warm-up, ${stored}`,
    },
    {
      group: "api", name: "POST /deposit latency p50", value: app.p50Ms, unit: "ms", absolute: true,
      baseline: { name: "bare route p50", value: baseline.p50Ms, unit: "ms" },
      ratio: round(app.p50Ms / Math.max(baseline.p50Ms, 1)), note: `${where}; median of the rounds' p50`,
    },
    {
      group: "api", name: "POST /deposit latency p99", value: app.p99Ms, unit: "ms", absolute: true,
      baseline: { name: "bare route p99", value: baseline.p99Ms, unit: "ms" },
      ratio: round(app.p99Ms / Math.max(baseline.p99Ms, 1)), target: "≤ 50 ms", met: app.p99Ms <= 50,
      note: `${where}; worst round's p99`,
    },
    {
      group: "memory", name: "API peak RSS under POST /deposit load", value: apiUnderLoadMb, unit: "MB", absolute: true,
      target: "≤ 250 MB", met: apiUnderLoadMb <= 250,
      note: `highest VmRSS sampled every 250 ms during the load; lifetime VmHWM (start-up included) ${apiMemory.peakMb} MB; ` +
        `the bare route's VmHWM ${bareMemory.peakMb} MB`,
    },
    {
      group: "memory", name: "worker peak RSS dispatching the deposits' events", value: workerUnderLoadMb, unit: "MB",
      absolute: true, target: "≤ 200 MB", met: workerUnderLoadMb <= 200,
      note: `highest VmRSS sampled during the load and the catch-up; lifetime VmHWM ${workerMemory.peakMb} MB; ${finalCounts.dispatched} of ${finalCounts.events} deposit.created events turned into notifications, ` +
        `caught up ${dispatchLagSeconds.toFixed(1)} s after the load`,
    },
  ];
  await reportFigures(figures);
} finally {
  stopping = true;
  await Promise.all(children.map(stopProcess));
  await server.stop();
  await rm(dataRoot, { recursive: true, force: true });
}
