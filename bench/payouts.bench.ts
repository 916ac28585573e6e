// `pnpm bench:payouts`: the payout pipeline against graphile-worker's own ceiling, measured in
// the same run on a throwaway embedded PostgreSQL.
//
//   no-op jobs     BENCH_PAYOUTS no-op jobs through graphile-worker with the worker's settings
//                  (local queue 500, batched completion): the upper bound for any job
//   pipeline       BENCH_PAYOUTS M-Pesa payouts created (hold + row + job), then one
//                  `runPayouts` batch paid through the worker (its own process, the bundled build;
//                  BENCH_PAYOUTS_WORKER=inline runs it in this process), the Daraja sandbox (answering at
//                  once) and the API's callbacks, until every payout is paid
//   run summary    how long `POST /admin/payouts/run` takes to take BENCH_PAYOUTS queued payouts
//                  into a batch and answer (waiting 0 s for the worker)
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createDb } from "@agrinet/db";
import { startEmbeddedPostgres } from "@agrinet/db/embedded";
import { applyMigrations, withPgClient } from "@agrinet/db/migrate";
import { Logger, run, runMigrations } from "graphile-worker";
import { startPayoutHarness } from "../apps/api/src/testing/payouts-harness";
import { buildServices, builtServices } from "./built-services";
import { reportFigures, type BenchFigure } from "./figures";

const count = Number(process.env.BENCH_PAYOUTS ?? 10_000);
const concurrency = Number(process.env.BENCH_WORKER_CONCURRENCY ?? 24);
const silent = new Logger(() => () => {});
const say = (line: string) => process.stdout.write(`${line}\n`);
/** A pipeline that stops making progress for this long is reported as unfinished, not waited on forever. */
const stallMs = Number(process.env.BENCH_STALL_MS ?? 60_000);
const figures: BenchFigure[] = [];
const inlineWorker = process.env.BENCH_PAYOUTS_WORKER === "inline";
const statusCheckAfterMs = 5_000;
let workerProcess: ChildProcess | undefined;

const dataRoot = await mkdtemp(join(tmpdir(), "agrinet-bench-payouts-"));
const server = await startEmbeddedPostgres({ dataDir: join(dataRoot, "data"), persistent: false, maxConnections: 300 });
try {
  const adminUrl = server.url();
  const url = async (name: string) => {
    await withPgClient(adminUrl, (client) => client.query(`create database ${name}`));
    const parsed = new URL(adminUrl);
    parsed.pathname = `/${name}`;
    return parsed.toString();
  };

  // graphile-worker no-op throughput
  const noopUrl = await url("bench_noop");
  await runMigrations({ connectionString: noopUrl, logger: silent });
  await withPgClient(noopUrl, (client) =>
    client.query(
      `select graphile_worker.add_jobs(array(select ('noop', '{}'::json, null, null, null, null, null, null)::graphile_worker.job_spec from generate_series(1, $1)))`,
      [count],
    ),
  );
  let done = 0;
  const noopStarted = performance.now();
  let resolveAllDone = () => {};
  const allDone = new Promise<void>((resolve) => {
    resolveAllDone = resolve;
  });
  const runner = await run({
    connectionString: noopUrl,
    concurrency,
    noHandleSignals: true,
    logger: silent,
    crontab: "",
    preset: { worker: { localQueue: { size: 500 }, completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
    taskList: {
      noop: async () => {
        if (++done === count) resolveAllDone();
      },
    },
  });
  await allDone;
  const noopSeconds = (performance.now() - noopStarted) / 1000;
  await runner.stop();
  const noopRate = count / noopSeconds;
  say(`graphile-worker no-op jobs: ${count} in ${noopSeconds.toFixed(2)} s = ${noopRate.toFixed(0)} jobs/s`);

  // The payout pipeline
  const payoutsUrl = await url("bench_payouts");
  await applyMigrations(payoutsUrl);
  await runMigrations({ connectionString: payoutsUrl, logger: silent });
  const db = createDb({ connectionString: payoutsUrl, maxConnections: concurrency + 8 });
  const harness = await startPayoutHarness({
    db,
    databaseUrl: payoutsUrl,
    settings: { runWaitMs: 0 },
    statusCheckAfterMs,
  });
  // The worker runs as production runs it: its own process, from the bundled build, so the
  // pipeline spreads over the cores as a deployment's processes do. The API and the sandbox
  // share this process (BENCH_PAYOUTS_WORKER=inline puts the worker here too, as tests do).
  if (inlineWorker) {
    await harness.startWorker({ concurrency });
  } else {
    buildServices();
    workerProcess = spawn(process.execPath, [builtServices.worker], {
      env: {
        NODE_ENV: "production",
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        ...harness.workerEnv,
        DATABASE_URL: payoutsUrl,
        LOG_LEVEL: "silent",
        WORKER_CONCURRENCY: String(concurrency),
        WORKER_HEARTBEAT_SECONDS: "1",
        MPESA_RESULT_TIMEOUT_SECONDS: String(statusCheckAfterMs / 1000),
      },
      stdio: ["ignore", "inherit", "inherit"],
    });
    const pid = workerProcess.pid;
    for (let waited = 0; (await db.workerHeartbeat.count({ where: { pid } })) === 0; waited += 250) {
      if (workerProcess.exitCode !== null || waited > 120_000) throw new Error("the worker process did not start");
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  const users = Array.from({ length: 200 }, (_, i) => `bench_user_${i}`);
  for (const user of users) await harness.fund(user, BigInt(count) * 1000n);

  const createStarted = performance.now();
  const parallel = 32;
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) {
        const i = next++;
        await harness.caller().payouts.createPayout({
          userId: users[i % users.length]!,
          amount: 1000,
          currency: "KES",
          destination: { type: "mpesa", account: `+2547${String(10_000_000 + i).padStart(8, "0")}` },
        });
      }
    }),
  );
  const createSeconds = (performance.now() - createStarted) / 1000;
  say(`create payout (hold + row + job, ${parallel} clients): ${count} in ${createSeconds.toFixed(2)} s = ${(count / createSeconds).toFixed(0)} payouts/s`);

  const runStarted = performance.now();
  const summary = await harness.caller().payouts.runPayouts({ limit: count });
  const runSeconds = (performance.now() - runStarted) / 1000;
  if (summary.dryRun) throw new Error("expected a real run");
  say(`run summary over ${summary.total} queued payouts: ${runSeconds.toFixed(2)} s`);

  let last = 0;
  let lastProgressAt = performance.now();
  let finished = 0;
  for (;;) {
    finished = await db.payout.count({ where: { status: { in: ["paid", "failed"] } } });
    if (finished === count) break;
    if (finished !== last) {
      last = finished;
      lastProgressAt = performance.now();
    } else if (performance.now() - lastProgressAt > stallMs) {
      say(`payout pipeline stalled: ${finished} of ${count} finished, none for ${stallMs / 1000} s`);
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const pipelineSeconds = (performance.now() - runStarted) / 1000;
  const pipelineRate = finished / pipelineSeconds;
  say(
    `payout pipeline: ${finished} of ${count} finished in ${pipelineSeconds.toFixed(2)} s = ${pipelineRate.toFixed(0)} payouts/s ` +
      `(${((pipelineRate / noopRate) * 100).toFixed(1)}% of the no-op job rate; ${cpus().length} CPUs)`,
  );
  const payments = harness.sandbox.payments();
  const twice = payments.length - new Set(payments.map((p) => p.originatorConversationId)).size;
  say(`sandbox payments: ${payments.length}, paid twice: ${twice}; ${JSON.stringify(harness.sandbox.stats())}`);
  if (finished < count) {
    const stuck = await db.payout.groupBy({ by: ["status", "lastError"], where: { status: { notIn: ["paid", "failed"] } }, _count: true });
    for (const group of stuck) say(`  unfinished: ${group._count} ${group.status} (${group.lastError ?? "no error"})`);
  }
  const machine = `${cpus().length} CPUs, load ${loadavg()[0]!.toFixed(1)}`;
  figures.push(
    { group: "payouts", name: "graphile-worker no-op jobs", value: round(noopRate), unit: "jobs/s", absolute: true, note: machine },
    {
      group: "payouts",
      name: `payout pipeline (${count} M-Pesa payouts, sandbox answering at once)`,
      value: round(pipelineRate),
      unit: "payouts/s",
      baseline: { name: "graphile-worker no-op jobs", value: round(noopRate), unit: "jobs/s" },
      ratio: pipelineRate / noopRate,
      target: "≥ 1,000 payouts/s",
      met: finished === count && pipelineRate >= 1000,
      note: finished === count ? machine : `unfinished: ${finished} of ${count}; ${machine}`,
    },
    {
      group: "payouts",
      name: `POST /admin/payouts/run summary over ${summary.total} queued`,
      value: round(runSeconds),
      unit: "s",
      target: "≤ 15 s",
      met: runSeconds <= 15,
      absolute: true,
    },
    { group: "payouts", name: "payouts paid twice", value: twice, unit: "payouts", target: "= 0", met: twice === 0 },
  );
  // Shutting the pipeline down is not what is measured: give it a few seconds, then move on.
  workerProcess?.kill("SIGTERM");
  await Promise.race([harness.stop(), new Promise((resolve) => setTimeout(resolve, 10_000))]);
  await db.$disconnect();
} finally {
  if (workerProcess && workerProcess.exitCode === null) workerProcess.kill("SIGKILL");
  await server.stop();
  await rm(dataRoot, { recursive: true, force: true });
}
await reportFigures(figures);
process.exit(0);

function round(value: number) {
  return Math.round(value * 100) / 100;
}
