// `pnpm bench:payouts`: a payout's whole life, created over HTTP and paid through the sandbox,
// against baselines measured in the same run on a throwaway embedded PostgreSQL.
//
//   raw SQL transfer  the ledger bench's baseline (16 clients, 1,000 accounts, BENCH_SECONDS):
//                     the headline is judged as a ratio to it
//   no-op jobs        BENCH_PAYOUTS no-op jobs through graphile-worker with the worker's settings
//                     (local queue 500, batched completion): the upper bound for any job
//   end to end        BENCH_PAYOUTS M-Pesa payouts created by a partner over HTTP (POST /payouts
//                     through the REST bridge, BENCH_API_CONNECTIONS connections, each its own
//                     reference, spread over BENCH_PAYOUT_USERS producers), taken by a run every
//                     250 ms while they arrive (as a frequent PAYOUTS_AUTO_RUN_CRON would), paid by
//                     the worker through the Daraja sandbox (answering at once) and the API's
//                     callbacks; from the first create to the last settlement. Each part runs as its
//                     own process, as a deployment runs them: the API and the worker from their
//                     bundles (`pnpm build`), the sandbox from its main.ts; the CPU each spent per
//                     payout is printed, the product's (API, worker, PostgreSQL) apart from the
//                     sandbox's (Safaricom's stand-in). BENCH_PAYOUTS_WORKER=inline puts the API, the
//                     sandbox and the worker in this process, as tests do.
//   the two halves    creating (rate, p50, p99 over HTTP while the pipeline pays) and paying (rate
//                     from the first run to the last settlement)
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import type { CurrencyCode } from "@agrinet/core";
import { createDb, type Db } from "@agrinet/db";
import { freePort, startEmbeddedPostgres } from "@agrinet/db/embedded";
import { applyMigrations, withPgClient } from "@agrinet/db/migrate";
import { createPartnerKey, externalAccount, postLedgerTransaction, userWalletAccount } from "@agrinet/domain";
import { appRouter, createCallerFactory, type PayoutSettings } from "@agrinet/router";
import autocannon from "autocannon";
import { migrateJobQueue, startJobRunner } from "@agrinet/job-queue/runner";
import { addTestJobs } from "@agrinet/job-queue/testing";
import pg from "pg";
import { adminPrincipal, startPayoutHarness, type PayoutCaller, type PayoutHarness } from "../apps/api/src/testing/payouts-harness";
import { apiNodeFlags, apiProcessEnv } from "../apps/api/src/runtime-flags";
import { workerNodeFlags, workerProcessEnv } from "../apps/worker/src/runtime-flags";
import { buildServices, builtServices } from "./built-services";
import { serviceProcesses } from "./service-processes";
import { reportFigures, type BenchFigure } from "./figures";
import { machineLoad } from "./machine-load";
import { postmasterPid, processCpuSeconds, processTreeCpuSeconds } from "./process-cpu";
import { measureRawTransferRate } from "./raw-transfer";

const count = Number(process.env.BENCH_PAYOUTS ?? 10_000);
const concurrency = Number(process.env.BENCH_WORKER_CONCURRENCY ?? 24);
/** The partner's connections to the API for POST /payouts, as bench:api uses for POST /deposit. */
const connections = Number(process.env.BENCH_API_CONNECTIONS ?? 50);
/** Producers the payouts are spread over (each its own wallet, so its own balance row). */
const userCount = Number(process.env.BENCH_PAYOUT_USERS ?? 1_000);
/** How often a run takes the queued payouts while they are being created. */
const runEveryMs = 250;
let referenceSequence = 0;
const runId = randomBytes(4).toString("hex");
/** Seconds of the raw SQL transfer baseline. */
const rawSeconds = Number(process.env.BENCH_SECONDS ?? 8);
const say = (line: string) => process.stdout.write(`${line}\n`);
/** A pipeline that stops making progress for this long is reported as unfinished, not waited on forever. */
const stallMs = Number(process.env.BENCH_STALL_MS ?? 60_000);
const figures: BenchFigure[] = [];
const inline = process.env.BENCH_PAYOUTS_WORKER === "inline";
const statusCheckAfterMs = 5_000;
const settings: PayoutSettings = { minAmount: 500n, maxAttempts: 5, runWaitMs: 0 };
const services = serviceProcesses(say);
let stopPipeline = async () => {};

type SandboxPayment = ReturnType<PayoutHarness["sandbox"]["payments"]>[number];
type SandboxStats = ReturnType<PayoutHarness["sandbox"]["stats"]>;

/** What the bench needs from the pipeline, wherever its parts run. */
type Pipeline = {
  caller(): PayoutCaller;
  /** The API's base URL: POST /payouts goes there. */
  apiUrl: string;
  fund(userId: string, amount: bigint): Promise<void>;
  payments(): Promise<SandboxPayment[]>;
  stats(): Promise<SandboxStats>;
  /** CPU seconds so far, by process. */
  processes: Record<string, () => number>;
  stop(): Promise<void>;
};

const dataRoot = await mkdtemp(join(tmpdir(), "agrinet-bench-payouts-"));
// BENCH_PG_STATEMENTS=1: PostgreSQL's time per payout by statement and by function over the
// pipeline (pg_stat_statements, nested statements included), printed after it.
const pgStatements = process.env.BENCH_PG_STATEMENTS === "1";
const server = await startEmbeddedPostgres({
  dataDir: join(dataRoot, "data"),
  persistent: false,
  maxConnections: 300,
  ...(pgStatements
    ? { settings: { shared_preload_libraries: "pg_stat_statements", "pg_stat_statements.track": "all", "pg_stat_statements.track_planning": "on", track_functions: "all" } }
    : {}),
});
try {
  const adminUrl = server.url();
  const postgresPid = postmasterPid(join(dataRoot, "data"));
  const postgresCpu = () => processTreeCpuSeconds(postgresPid);
  const url = async (name: string) => {
    await withPgClient(adminUrl, (client) => client.query(`create database ${name}`));
    const parsed = new URL(adminUrl);
    parsed.pathname = `/${name}`;
    return parsed.toString();
  };

  // graphile-worker no-op throughput
  const noopUrl = await url("bench_noop");
  await migrateJobQueue(noopUrl);
  await withPgClient(noopUrl, (client) => addTestJobs(client, "noop", count));
  let done = 0;
  const noopStarted = performance.now();
  let resolveAllDone = () => {};
  const allDone = new Promise<void>((resolve) => {
    resolveAllDone = resolve;
  });
  // The worker's own runner settings (startJobRunner), so the baseline is what the worker could do.
  const noopPool = new pg.Pool({ connectionString: noopUrl, max: concurrency + 4 });
  const { runner } = await startJobRunner({
    pgPool: noopPool,
    concurrency,
    crontab: [],
    localQueueSize: 500,
    log: () => {},
    tasks: {
      noop: async () => {
        if (++done === count) resolveAllDone();
      },
    },
  });
  await allDone;
  const noopSeconds = (performance.now() - noopStarted) / 1000;
  await runner.stop();
  await noopPool.end();
  const noopRate = count / noopSeconds;
  say(`graphile-worker no-op jobs: ${count} in ${noopSeconds.toFixed(2)} s = ${noopRate.toFixed(0)} jobs/s`);

  // The baseline the end-to-end rate is judged by, on this server in this run.
  const rawRate = await measureRawTransferRate(await url("bench_raw"), { clients: 16, seconds: rawSeconds });
  say(`raw SQL transfer (16 clients, 1,000 accounts): ${rawRate.toFixed(0)}/s`);

  // The payout pipeline
  const payoutsUrl = await url("bench_payouts");
  await applyMigrations(payoutsUrl);
  await migrateJobQueue(payoutsUrl);
  const db = createDb({ connectionString: payoutsUrl, maxConnections: concurrency + 8 });
  const pipeline = inline ? await startInlinePipeline(db, payoutsUrl) : await startPipelineProcesses(db, payoutsUrl);
  pipeline.processes.postgres = postgresCpu;
  stopPipeline = pipeline.stop;
  const key = await createPartnerKey({ db, name: "bench", scopes: ["payouts:write"], actor: "system:bench" });
  const users = Array.from({ length: userCount }, (_, i) => `bench_user_${i}`);
  const perUser = BigInt(Math.ceil(count / users.length) + 1) * 1000n;
  for (let i = 0; i < users.length; i += 16) await Promise.all(users.slice(i, i + 16).map((user) => pipeline.fund(user, perUser)));

  if (pgStatements) {
    await withPgClient(payoutsUrl, async (client) => {
      await client.query("create extension if not exists pg_stat_statements");
      await client.query("select pg_stat_statements_reset(), pg_stat_reset()");
    });
  }
  // A payout's whole life: created over HTTP by a partner (the REST bridge, `connections`
  // connections, every request its own reference and one of `userCount` producers), taken by a
  // run (every `runEveryMs`, as a frequent PAYOUTS_AUTO_RUN_CRON would) and paid by the worker
  // through the sandbox, until the last one settles.
  const cpuBefore = readCpu(pipeline.processes);
  const started = performance.now();
  let creating = true;
  let firstRunAt = 0;
  let runs = 0;
  let slowestRunMs = 0;
  const running = (async () => {
    for (;;) {
      const last = !creating;
      const runStarted = performance.now();
      const summary = await pipeline.caller().payouts.runPayouts({ limit: count });
      if (summary.dryRun) throw new Error("expected a real run");
      if (summary.total > 0) {
        firstRunAt ||= runStarted;
        runs += 1;
        slowestRunMs = Math.max(slowestRunMs, performance.now() - runStarted);
      }
      if (last) return;
      await new Promise((resolve) => setTimeout(resolve, runEveryMs));
    }
  })();
  // Awaited once creating is over; a failure meanwhile must not go unhandled.
  running.catch(() => {});
  const create = await createOverHttp(pipeline.apiUrl, { "x-api-key": key.key }, users);
  const createSeconds = (performance.now() - started) / 1000;
  creating = false;
  await running;
  say(
    `create over HTTP (POST /payouts, ${connections} connections, ${users.length} producers): ${create.ok} of ${count} in ${createSeconds.toFixed(2)} s ` +
      `= ${(create.ok / createSeconds).toFixed(0)}/s, p50 ${create.p50Ms} ms, p99 ${create.p99Ms} ms, refused ${create.failed}` +
      `${create.statuses ? ` (${create.statuses})` : ""}; ${runs} runs took them, the slowest in ${(slowestRunMs / 1000).toFixed(2)} s`,
  );

  let last = 0;
  let lastProgressAt = performance.now();
  let finished = 0;
  for (;;) {
    // Each count reads every finished payout: every 100 ms only near the end (the end time's
    // precision), and while far from it every quarter of the time left at the rate so far (at
    // most 2 s), so a run costs the database ~15 counts instead of ~100.
    const { rows } = await db.$pool.query<{ finished: number }>(
      "select count(*)::int as finished from payouts where status in ('paid', 'failed')",
    );
    finished = rows[0]!.finished;
    if (finished === create.ok) break;
    if (finished !== last) {
      last = finished;
      lastProgressAt = performance.now();
    } else if (performance.now() - lastProgressAt > stallMs) {
      say(`payout pipeline stalled: ${finished} of ${create.ok} finished, none for ${stallMs / 1000} s`);
      break;
    }
    const elapsedMs = performance.now() - started;
    const expectedLeftMs = finished > 0 ? ((create.ok - finished) * elapsedMs) / finished : 0;
    await new Promise((resolve) => setTimeout(resolve, Math.min(2_000, Math.max(100, expectedLeftMs / 4))));
  }
  const endedAt = performance.now();
  const wholeSeconds = (endedAt - started) / 1000;
  const wholeRate = finished / wholeSeconds;
  const payingRate = finished / ((endedAt - (firstRunAt || started)) / 1000);
  const createRate = create.ok / createSeconds;
  const cpuAfter = readCpu(pipeline.processes);
  const cpuPerPayout = Object.fromEntries(
    Object.keys(cpuAfter).map((name) => [name, ((cpuAfter[name]! - cpuBefore[name]!) * 1000) / Math.max(finished, 1)]),
  );
  // What Agrinet runs (API, worker, PostgreSQL) apart from the sandbox standing in for
  // Safaricom and from the bench's own load generator.
  const productCpu = ["api", "worker", "postgres"].reduce((sum, name) => sum + (cpuPerPayout[name] ?? 0), 0);
  const describeCpu =
    `${Object.entries(cpuPerPayout).map(([name, ms]) => `${name} ${ms.toFixed(2)}`).join(", ")}; ` +
    `product (API + worker + PostgreSQL) ${productCpu.toFixed(2)}`;
  say(
    `payouts end to end: ${finished} of ${count} created over HTTP and finished in ${wholeSeconds.toFixed(2)} s = ${wholeRate.toFixed(0)} payouts/s ` +
      `(${(wholeRate / rawRate).toFixed(2)}x the raw SQL transfer; paying ${payingRate.toFixed(0)}/s from the first run; ` +
      `${cpus().length} CPUs, ${machineLoad().uptime})`,
  );
  say(`CPU ms per payout, first create to last settlement (${inline ? "API, sandbox and worker all in the bench process" : "each process"}): ${describeCpu}`);
  if (pgStatements) await printPgStatements(payoutsUrl, finished);
  const payments = await pipeline.payments();
  const twice = payments.length - new Set(payments.map((p) => p.originatorConversationId)).size;
  say(`sandbox payments: ${payments.length}, paid twice: ${twice}; ${JSON.stringify(await pipeline.stats())}`);
  if (finished < create.ok) {
    const stuck = await db.payout.groupBy({ by: ["status", "lastError"], where: { status: { notIn: ["paid", "failed"] } }, _count: true });
    for (const group of stuck) say(`  unfinished: ${group._count} ${group.status} (${group.lastError ?? "no error"})`);
  }
  const machine = `${cpus().length} CPUs, load ${loadavg()[0]!.toFixed(1)}`;
  const complete = create.ok === count && finished === count;
  const raw = { name: "raw SQL transfer (16 clients, 1,000 accounts)", value: round(rawRate), unit: "ops/s" };
  figures.push(
    {
      group: "payouts",
      name: `payouts end to end (${count} created over HTTP, paid through the sandbox)`,
      value: round(wholeRate),
      unit: "payouts/s",
      baseline: raw,
      ratio: wholeRate / rawRate,
      target: "ratio ≥ 0.3",
      met: complete && wholeRate / rawRate >= 0.3,
      note: `${complete ? "" : `unfinished: ${finished} of ${count} (created ${create.ok}); `}${machine}; CPU ms per payout: ${describeCpu}`,
    },
    { group: "payouts", name: "raw SQL transfer (payouts' baseline)", value: round(rawRate), unit: "ops/s", absolute: true, note: machine },
    {
      group: "payouts",
      name: `creating: POST /payouts over HTTP, ${connections} connections, while paying`,
      value: round(createRate),
      unit: "payouts/s",
      baseline: { name: "paying rate", value: round(payingRate), unit: "payouts/s" },
      ratio: createRate / payingRate,
      target: "ratio ≥ 1, p99 ≤ 50 ms",
      met: create.ok === count && createRate >= payingRate && create.p99Ms <= 50,
      note: `p50 ${create.p50Ms} ms, p99 ${create.p99Ms} ms; ${machine}`,
    },
    {
      group: "payouts",
      name: "paying: worker → sandbox → callbacks → settlement, from the first run",
      value: round(payingRate),
      unit: "payouts/s",
      baseline: { name: "graphile-worker no-op jobs", value: round(noopRate), unit: "jobs/s" },
      ratio: payingRate / noopRate,
      note: machine,
    },
    { group: "payouts", name: "graphile-worker no-op jobs", value: round(noopRate), unit: "jobs/s", absolute: true, note: machine },
    {
      group: "payouts",
      name: `slowest POST /admin/payouts/run summary (${runs} runs)`,
      value: round(slowestRunMs / 1000),
      unit: "s",
      target: "≤ 15 s",
      met: slowestRunMs <= 15_000,
      absolute: true,
    },
    { group: "payouts", name: "payouts paid twice", value: twice, unit: "payouts", target: "= 0", met: twice === 0 },
  );
  await db.$disconnect();
} finally {
  // Shutting the pipeline down is not what is measured: give it a few seconds, then move on.
  await Promise.race([stopPipeline(), new Promise((resolve) => setTimeout(resolve, 10_000))]);
  services.killAll();
  await server.stop();
  await rm(dataRoot, { recursive: true, force: true });
}
await reportFigures(figures);
process.exit(0);

type HttpLoad = { ok: number; failed: number; statuses: string; p50Ms: number; p99Ms: number };

/** `count` POST /payouts over `connections` connections, each with its own reference. */
async function createOverHttp(apiUrl: string, headers: Record<string, string>, users: string[]): Promise<HttpLoad> {
  const statuses = new Map<number, number>();
  const result = await autocannon({
    url: apiUrl,
    connections,
    amount: count,
    timeout: 60,
    requests: [
      {
        method: "POST",
        path: "/payouts",
        headers: { "content-type": "application/json", ...headers },
        setupRequest: (request) => {
          const i = referenceSequence++;
          return {
            ...request,
            body: JSON.stringify({
              userId: users[i % users.length],
              amount: 1000,
              currency: "KES",
              destination: { type: "mpesa", account: `+2547${String(10_000_000 + (i % 90_000_000)).padStart(8, "0")}` },
              reference: `BENCH-${runId}-${i}`,
            }),
          };
        },
        onResponse: (status) => {
          if (status >= 300) statuses.set(status, (statuses.get(status) ?? 0) + 1);
        },
      },
    ],
  });
  return {
    ok: result["2xx"],
    failed: result.non2xx + result.errors + result.timeouts,
    statuses: [...statuses].map(([status, n]) => `${n} × ${status}`).join(", "),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
  };
}

function round(value: number) {
  return Math.round(value * 100) / 100;
}

function readCpu(processes: Record<string, () => number>): Record<string, number> {
  return Object.fromEntries(Object.entries(processes).map(([name, read]) => [name, read()]));
}

function createCaller(db: Db): PayoutCaller {
  return createCallerFactory(appRouter)({ db, requestId: "bench", principal: adminPrincipal, ip: null, expectedMigrations: [], payouts: settings });
}

async function fund(db: Db, userId: string, amount: bigint, currency: CurrencyCode = "KES") {
  await postLedgerTransaction(db, {
    idempotencyKey: `bench-deposit:${userId}:${randomBytes(6).toString("hex")}`,
    kind: "deposit",
    postings: [
      { account: externalAccount("mpesa", currency), amount: -amount, currency },
      { account: userWalletAccount(userId, currency), amount, currency },
    ],
  });
}

/** Everything in this process, through the test harness. */
async function startInlinePipeline(db: Db, databaseUrl: string): Promise<Pipeline> {
  const harness = await startPayoutHarness({ db, databaseUrl, settings, statusCheckAfterMs });
  await harness.startWorker({ concurrency });
  return {
    caller: () => harness.caller(),
    apiUrl: harness.apiUrl,
    fund: (userId, amount) => harness.fund(userId, amount),
    payments: async () => harness.sandbox.payments(),
    stats: async () => harness.sandbox.stats(),
    processes: { bench: () => processCpuSeconds(process.pid) },
    stop: () => harness.stop(),
  };
}

async function printPgStatements(databaseUrl: string, payouts: number) {
  await withPgClient(databaseUrl, async (client) => {
    const { rows: statements } = await client.query<{ toplevel: boolean; calls: string; exec: string; plan: string; query: string }>(
      `select toplevel, calls, round((total_exec_time * 1000 / $1)::numeric, 1) as exec,
              round((total_plan_time * 1000 / $1)::numeric, 1) as plan,
              left(regexp_replace(query, '\\s+', ' ', 'g'), 120) as query
       from pg_stat_statements order by total_exec_time + total_plan_time desc limit 30`,
      [Math.max(payouts, 1)],
    );
    say("PostgreSQL µs per payout by statement (exec + plan, wall time; n = nested in a function):");
    for (const s of statements) say(`  ${s.toplevel ? "t" : "n"} ${s.exec} + ${s.plan} µs, ${s.calls} calls: ${s.query}`);
    const { rows: functions } = await client.query<{ funcname: string; calls: string; self: string; total: string }>(
      `select funcname, calls, round((self_time * 1000 / $1)::numeric, 1) as self, round((total_time * 1000 / $1)::numeric, 1) as total
       from pg_stat_user_functions order by total_time desc limit 15`,
      [Math.max(payouts, 1)],
    );
    say("PostgreSQL µs per payout by function (self / total):");
    for (const f of functions) say(`  ${f.self} / ${f.total} µs, ${f.calls} calls: ${f.funcname}`);
  });
}

/**
 * The sandbox, the API and the worker as three processes, as a deployment runs them: the
 * bench process only creates the payouts, starts the run and counts.
 */
async function startPipelineProcesses(db: Db, databaseUrl: string): Promise<Pipeline> {
  buildServices();
  const sandboxPort = await freePort();
  const apiPort = await freePort();
  const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const sandbox = services.start("daraja sandbox", ["--import", "tsx", "packages/daraja-sandbox/src/main.ts"], {
    DARAJA_SANDBOX_PORT: String(sandboxPort),
    DARAJA_SANDBOX_SLOW_CALLBACK_MS: "500",
  });
  const mpesaEnv = {
    MPESA_BASE_URL: sandboxUrl,
    MPESA_CONSUMER_KEY: "sandbox-consumer-key",
    MPESA_CONSUMER_SECRET: "sandbox-consumer-secret",
    MPESA_SHORTCODE: "600996",
    MPESA_INITIATOR_NAME: "agrinet-sandbox",
    MPESA_SECURITY_CREDENTIAL: "sandbox-security-credential",
    MPESA_CALLBACK_BASE_URL: `${apiUrl}/payments/mpesa`,
    MPESA_CALLBACK_TOKEN: randomBytes(18).toString("base64url"),
    MPESA_RESULT_TIMEOUT_SECONDS: String(statusCheckAfterMs / 1000),
  };
  const worker = services.start("worker", [...workerNodeFlags, builtServices.worker], {
    ...workerProcessEnv,
    ...mpesaEnv,
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: "silent",
    WORKER_CONCURRENCY: String(concurrency),
    WORKER_HEARTBEAT_SECONDS: "1",
  });
  const api = services.start("api", [...apiNodeFlags, builtServices.api], {
    ...apiProcessEnv,
    ...mpesaEnv,
    DATABASE_URL: databaseUrl,
    API_PORT: String(apiPort),
    LOG_LEVEL: "silent",
    BETTER_AUTH_SECRET: randomBytes(32).toString("hex"),
    RATE_LIMIT_PER_MINUTE: "1000000000",
  });
  const sandboxGet = async <T>(path: string) => (await (await fetch(`${sandboxUrl}${path}`)).json()) as T;
  await services.waitFor("daraja sandbox", async () => (await fetch(`${sandboxUrl}/__sandbox/stats`)).ok);
  // /readyz is 200 only once the database, the migrations and a live worker heartbeat are there.
  await services.waitFor("api and worker", async () => (await fetch(`${apiUrl}/readyz`)).ok);
  return {
    caller: () => createCaller(db),
    apiUrl,
    fund: (userId, amount) => fund(db, userId, amount),
    payments: async () => (await sandboxGet<{ payments: SandboxPayment[] }>("/__sandbox/payments")).payments,
    stats: () => sandboxGet<SandboxStats>("/__sandbox/stats"),
    processes: {
      api: () => processCpuSeconds(api.pid!),
      worker: () => processCpuSeconds(worker.pid!),
      sandbox: () => processCpuSeconds(sandbox.pid!),
      bench: () => processCpuSeconds(process.pid),
    },
    stop: services.stopAll,
  };
}
