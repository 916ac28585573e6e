// `pnpm bench:payouts`: a payout's whole life, created over HTTP and paid through the sandbox,
// against baselines measured in the same run on a throwaway embedded PostgreSQL.
//
//   raw SQL transfer  the ledger bench's baseline (16 clients, 1,000 accounts, BENCH_SECONDS):
//                     the headline is judged as a ratio to it
//   no-op jobs        BENCH_PAYOUTS no-op jobs through graphile-worker with the worker's settings
//                     (local queue 500, batched completion): the upper bound for any job
//   warm-up           BENCH_WARMUP_PAYOUTS (2,000) payouts through the same pipeline, then ANALYZE,
//                     as a database in service has rows and statistics; nothing of it is measured
//   end to end        BENCH_PAYOUTS M-Pesa payouts created by a partner over HTTP (POST /payouts
//                     through the REST bridge, BENCH_API_CONNECTIONS connections, each its own
//                     reference, spread over BENCH_PAYOUT_USERS producers), taken by a run every
//                     250 ms while they arrive (as a frequent PAYOUTS_AUTO_RUN_CRON would), paid by
//                     the worker through the Daraja sandbox (answering at once) and the API's
//                     callbacks; from the first create to the last settlement. Each part runs as its
//                     own process, as a deployment runs them: the API, the worker and the sandbox
//                     from their bundles (`pnpm build`); the CPU each spent per
//                     payout is printed, the product's (API, worker, PostgreSQL) apart from the
//                     sandbox's (Safaricom's stand-in). BENCH_PAYOUTS_WORKER=inline puts the API, the
//                     sandbox and the worker in this process, as tests do. BENCH_PAYOUTS_SEQUENTIAL=1
//                     starts the runs only after the last create and prints the CPU per payout of
//                     creating alone (the rest is paying's).
//   the two halves    creating (rate, p50, p99 over HTTP while the pipeline pays) and paying (rate
//                     from the first run to the last settlement)
//   a partner's wait  then POST /payouts sent at the paying rate just measured, each when due
//                     whatever the answers' pace (open loop, BENCH_FIXED_RATE_SECONDS of them, at
//                     most BENCH_PAYOUTS), while runs pay them: p50 and p99 against the issue's
//                     ≤ 50 ms. The 50-connection figure cannot show that wait: a closed loop at
//                     saturation answers in connections ÷ rate (Little's law) whatever the code does.
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
import { openLoop } from "./open-loop-http";
import { measureRawTransferRate } from "./raw-transfer";
import { printTableWrites } from "./pg-table-writes";

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
/** BENCH_PAYOUTS_SEQUENTIAL=1: no run before the last create, so each half's CPU per payout shows apart. */
const sequential = process.env.BENCH_PAYOUTS_SEQUENTIAL === "1";
/** Seconds of POST /payouts sent at the paying rate, after the end-to-end run (at most BENCH_PAYOUTS). */
const fixedRateSeconds = Number(process.env.BENCH_FIXED_RATE_SECONDS ?? 10);
/** Payouts through the whole pipeline before anything is measured, then ANALYZE (0: none). */
const warmupCount = Number(process.env.BENCH_WARMUP_PAYOUTS ?? 2_000);
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
  // Enough for the warm-up, the end-to-end run and the fixed-rate one after it (at most as many again).
  const perUser = BigInt(Math.ceil((2 * count + warmupCount) / users.length) + 1) * 1000n;
  for (let i = 0; i < users.length; i += 16) await Promise.all(users.slice(i, i + 16).map((user) => pipeline.fund(user, perUser)));

  // A database in service has rows and statistics. On empty tables the planner's first plans,
  // which each connection then keeps for its named statements and PL/pgSQL, scan whole tables
  // (auto_explain saw the start, await and account lookups read every row, more with each
  // payout). So some payouts go through the whole pipeline first, then ANALYZE, which also makes
  // every connection plan again.
  let warmedUp = 0;
  if (warmupCount > 0) {
    const warmStarted = performance.now();
    const warming = createOverHttp(pipeline.apiUrl, { "x-api-key": key.key }, users, warmupCount);
    await runPayoutsWhile(pipeline, warming);
    warmedUp = await waitUntilFinished(db, (await warming).ok, warmStarted);
    await db.$pool.query("analyze");
    say(`warm-up: ${warmedUp} payouts created and finished, then ANALYZE (${((performance.now() - warmStarted) / 1000).toFixed(1)} s)`);
  }

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
  const creating = createOverHttp(pipeline.apiUrl, { "x-api-key": key.key }, users);
  const runs = runPayoutsWhile(pipeline, creating);
  const create = await creating;
  const createSeconds = (performance.now() - started) / 1000;
  const cpuCreated = readCpu(pipeline.processes);
  const { firstRunAt, count: runCount, slowestRunMs } = await runs;
  say(
    `create over HTTP (POST /payouts, ${connections} connections, ${users.length} producers): ${create.ok} of ${count} in ${createSeconds.toFixed(2)} s ` +
      `= ${(create.ok / createSeconds).toFixed(0)}/s, p50 ${create.p50Ms} ms, p99 ${create.p99Ms} ms, refused ${create.failed}` +
      `${create.statuses ? ` (${create.statuses})` : ""}; ${runCount} runs took them, the slowest in ${(slowestRunMs / 1000).toFixed(2)} s`,
  );
  if (sequential) say(`CPU ms per payout, creating only (no run before the last create): ${describeCpuPerPayout(cpuBefore, cpuCreated, create.ok)}`);

  const finished = (await waitUntilFinished(db, warmedUp + create.ok, started)) - warmedUp;
  const endedAt = performance.now();
  const wholeSeconds = (endedAt - started) / 1000;
  const wholeRate = finished / wholeSeconds;
  const payingRate = finished / ((endedAt - (firstRunAt || started)) / 1000);
  const createRate = create.ok / createSeconds;
  const cpuAfter = readCpu(pipeline.processes);
  const describeCpu = describeCpuPerPayout(cpuBefore, cpuAfter, finished);
  say(
    `payouts end to end: ${finished} of ${count} created over HTTP and finished in ${wholeSeconds.toFixed(2)} s = ${wholeRate.toFixed(0)} payouts/s ` +
      `(${(wholeRate / rawRate).toFixed(2)}x the raw SQL transfer; paying ${payingRate.toFixed(0)}/s from the first run; ` +
      `${cpus().length} CPUs, ${machineLoad().uptime})`,
  );
  say(`CPU ms per payout, first create to last settlement (${inline ? "API, sandbox and worker all in the bench process" : "each process"}): ${describeCpu}`);
  if (pgStatements) await printPgStatements(payoutsUrl, finished);

  // A partner's wait at the rate the pipeline pays: POST /payouts sent at that rate, each when it
  // is due whatever the answers' pace (bench/open-loop-http.ts), while runs take and pay them.
  const fixedRate = Math.max(1, Math.round(payingRate));
  const fixedCount = Math.min(count, Math.round(fixedRate * fixedRateSeconds));
  const fixedStarted = performance.now();
  const fixedCreating = openLoop({
    url: pipeline.apiUrl,
    method: "POST",
    path: "/payouts",
    headers: { "content-type": "application/json", "x-api-key": key.key },
    rate: fixedRate,
    count: fixedCount,
    body: (i) => payoutBody(users, `BENCH-${runId}-fixed-${i}`, i),
  });
  const fixedRuns = runPayoutsWhile(pipeline, fixedCreating);
  const fixed = await fixedCreating;
  await fixedRuns;
  const fixedFinished = (await waitUntilFinished(db, warmedUp + finished + fixed.ok, fixedStarted)) - warmedUp - finished;
  say(
    `create at the paying rate (POST /payouts sent at ${fixedRate}/s, open loop): ${fixed.ok} of ${fixedCount} answered at ${fixed.achievedRate.toFixed(0)}/s, ` +
      `p50 ${fixed.p50Ms} ms, p99 ${fixed.p99Ms} ms, max ${fixed.maxMs} ms, refused ${fixed.failed}${fixed.statuses ? ` (${fixed.statuses})` : ""}; ` +
      `${fixedFinished} paid or failed (${machineLoad().uptime})`,
  );
  const payments = await pipeline.payments();
  const twice = payments.length - new Set(payments.map((p) => p.originatorConversationId)).size;
  say(`sandbox payments: ${payments.length}, paid twice: ${twice}; ${JSON.stringify(await pipeline.stats())}`);
  if (finished < create.ok || fixedFinished < fixed.ok) {
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
      target: "ratio ≥ 1",
      met: create.ok === count && createRate >= payingRate,
      // A closed loop at saturation: its latency is the connections ÷ the rate (Little's law).
      note: `p50 ${create.p50Ms} ms, p99 ${create.p99Ms} ms at saturation; ${machine}`,
    },
    {
      group: "payouts",
      name: `creating at the paying rate: POST /payouts p99, sent at ${fixedRate}/s (open loop, ${fixedCount} payouts) while paying`,
      value: fixed.p99Ms,
      unit: "ms",
      target: "≤ 50 ms",
      met: fixed.ok === fixedCount && fixed.p99Ms <= 50,
      absolute: true,
      note: `p50 ${fixed.p50Ms} ms, max ${fixed.maxMs} ms, answered at ${round(fixed.achievedRate)}/s; ${machine}`,
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
      name: `slowest POST /admin/payouts/run summary (${runCount} runs)`,
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
async function createOverHttp(apiUrl: string, headers: Record<string, string>, users: string[], amount = count): Promise<HttpLoad> {
  const result = await autocannon({
    url: apiUrl,
    connections,
    amount,
    // autocannon resolves on its next sample tick after the last answer: with the default
    // 1 s samples the time it reports ends up to a second late (on a ~6 s run, ~15% of the rate).
    sampleInt: 20,
    timeout: 60,
    requests: [
      {
        method: "POST",
        path: "/payouts",
        headers: { "content-type": "application/json", ...headers },
        setupRequest: (request) => {
          const i = referenceSequence++;
          return { ...request, body: payoutBody(users, `BENCH-${runId}-${i}`, i) };
        },
        // No onResponse: autocannon would build each answer's headers into an object for it.
        // What was not 2xx is in its statusCodeStats.
      },
    ],
  });
  return {
    ok: result["2xx"],
    failed: result.non2xx + result.errors + result.timeouts,
    statuses: Object.entries(result.statusCodeStats ?? {})
      .filter(([status]) => Number(status) >= 300)
      .map(([status, { count: n }]) => `${n} × ${status}`)
      .join(", "),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
  };
}

type RunStats = { firstRunAt: number; count: number; slowestRunMs: number };

/**
 * A run every `runEveryMs` while `creating` is pending (with BENCH_PAYOUTS_SEQUENTIAL, none until
 * it is over) and one more after it, which takes the last payouts created.
 */
async function runPayoutsWhile(pipeline: Pipeline, creating: Promise<unknown>): Promise<RunStats> {
  let created = false;
  void creating
    .finally(() => {
      created = true;
    })
    .catch(() => {});
  if (sequential) await creating.catch(() => {});
  const stats: RunStats = { firstRunAt: 0, count: 0, slowestRunMs: 0 };
  for (;;) {
    const last = created;
    const runStarted = performance.now();
    const summary = await pipeline.caller().payouts.runPayouts({ limit: count });
    if (summary.dryRun) throw new Error("expected a real run");
    if (summary.total > 0) {
      stats.firstRunAt ||= runStarted;
      stats.count += 1;
      stats.slowestRunMs = Math.max(stats.slowestRunMs, performance.now() - runStarted);
    }
    if (last) return stats;
    await new Promise((resolve) => setTimeout(resolve, runEveryMs));
  }
}

/** Waits until `expected` payouts are paid or failed (or none finishes for `stallMs`); how many are. */
async function waitUntilFinished(db: Db, expected: number, started: number): Promise<number> {
  let last = 0;
  let lastProgressAt = performance.now();
  for (;;) {
    // Each count reads every finished payout: every 100 ms only near the end (the end time's
    // precision), and while far from it every quarter of the time left at the rate so far (at
    // most 2 s), so a run costs the database ~15 counts instead of ~100.
    const { rows } = await db.$pool.query<{ finished: number }>(
      "select count(*)::int as finished from payouts where status in ('paid', 'failed')",
    );
    const finished = rows[0]!.finished;
    if (finished === expected) return finished;
    if (finished !== last) {
      last = finished;
      lastProgressAt = performance.now();
    } else if (performance.now() - lastProgressAt > stallMs) {
      say(`payout pipeline stalled: ${finished} of ${expected} finished, none for ${stallMs / 1000} s`);
      return finished;
    }
    const elapsedMs = performance.now() - started;
    const expectedLeftMs = finished > 0 ? ((expected - finished) * elapsedMs) / finished : 0;
    await new Promise((resolve) => setTimeout(resolve, Math.min(2_000, Math.max(100, expectedLeftMs / 4))));
  }
}

/**
 * CPU ms per payout of each process between two readings, and the product's (API, worker,
 * PostgreSQL) apart from the sandbox standing in for Safaricom and the bench's load generator.
 */
function describeCpuPerPayout(before: Record<string, number>, after: Record<string, number>, payouts: number): string {
  const perPayout = Object.fromEntries(Object.keys(after).map((name) => [name, ((after[name]! - before[name]!) * 1000) / Math.max(payouts, 1)]));
  const product = ["api", "worker", "postgres"].reduce((sum, name) => sum + (perPayout[name] ?? 0), 0);
  return `${Object.entries(perPayout).map(([name, ms]) => `${name} ${ms.toFixed(2)}`).join(", ")}; product (API + worker + PostgreSQL) ${product.toFixed(2)}`;
}

/** The i-th payout's POST /payouts body: one of `users`, its own M-Pesa number and reference. */
function payoutBody(users: string[], reference: string, i: number): string {
  return JSON.stringify({
    userId: users[i % users.length],
    amount: 1000,
    currency: "KES",
    destination: { type: "mpesa", account: `+2547${String(10_000_000 + (i % 90_000_000)).padStart(8, "0")}` },
    reference,
  });
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
    await printTableWrites(client, payouts, "payout", say);
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
  const sandbox = services.start("daraja sandbox", [builtServices.sandbox], {
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
