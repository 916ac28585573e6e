// `pnpm bench:collections`: STK Push deposits end to end on a throwaway embedded PostgreSQL —
// POST /deposit with a phoneNumber over HTTP → STK Push to the Daraja sandbox → the sandbox's
// callback over HTTP to the API → the ledger credit — until every deposit is confirmed.
// Each part runs as its own process, as a deployment runs them: the API, the worker (the STK
// Query sweeper) and the sandbox from their bundles (`pnpm build`), and this process only sends
// the requests and counts, so the CPU each spends per deposit is measured apart.
// Reported as a ratio to a baseline measured in the same run on the same processes: manual
// deposits (POST /deposit without a phoneNumber: recorded pending, no STK Push, no credit).
//
//   BENCH_STK_DEPOSITS (6,000; BENCH_QUICK 300), BENCH_STK_CONNECTIONS (50),
//   BENCH_CPU_PROF=<dir> (a V8 CPU profile per process), BENCH_PG_STATEMENTS=1 (PostgreSQL's µs
//   per STK deposit by statement, from pg_stat_statements; wall time, so inflated under load),
//   BENCH_WARMUP_DEPOSITS (12,000, none with BENCH_QUICK: STK deposits through the whole path, then
//   ANALYZE, before anything is measured, as a service in use has rows, statistics and JIT-compiled
//   code), BENCH_NODE_FLAGS (further node flags for every service, e.g. --perf-basic-prof-only-functions)
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDb } from "@agrinet/db";
import { freePort, startEmbeddedPostgres } from "@agrinet/db/embedded";
import { applyMigrations, withPgClient } from "@agrinet/db/migrate";
import { createPartnerKey } from "@agrinet/domain";
import autocannon from "autocannon";
import { migrateJobQueue } from "@agrinet/job-queue/runner";
import { apiNodeFlags, apiProcessEnv } from "../apps/api/src/runtime-flags";
import { workerNodeFlags, workerProcessEnv } from "../apps/worker/src/runtime-flags";
import { buildServices, builtServices } from "./built-services";
import { serviceProcesses } from "./service-processes";
import { reportFigures, type BenchFigure } from "./figures";
import { machineLoad } from "./machine-load";
import { postmasterPid, processCpuSeconds, processTreeCpuSeconds } from "./process-cpu";
import { printTableWrites } from "./pg-table-writes";

const quick = process.env.BENCH_QUICK === "1";
const count = Number(process.env.BENCH_STK_DEPOSITS ?? (quick ? 300 : 6_000));
const connections = Number(process.env.BENCH_STK_CONNECTIONS ?? 50);
const pgStatements = process.env.BENCH_PG_STATEMENTS === "1";
/**
 * STK deposits through the whole path before anything is measured, then ANALYZE (0: none). V8
 * compiles a path's functions only once they are hot, and keeps reoptimizing them for a while
 * after: with 500, TurboFan's compiling during the measured deposits was ~20% of all the
 * processes' CPU; with 3,000 the services still optimized 167 functions and deoptimized 28 during
 * the measured 6,000 (`--trace-opt --trace-deopt`; TurboFan ~8% of the API's CPU by `perf`), with
 * 12,000 78 and 7. A service in use paid that long before: 12,000 measured 0.6–21% faster than 3,000
 * in nine pairs out of nine, with less API CPU per deposit in each (2026-12-07).
 */
const warmupCount = Number(process.env.BENCH_WARMUP_DEPOSITS ?? (quick ? 0 : 12_000));
/** A lost callback is confirmed by the worker's STK Query sweep this long after the request. */
const stkTimeoutSeconds = 5;
const say = (line: string) => process.stdout.write(`${line}\n`);
const runId = randomBytes(4).toString("hex");
const services = serviceProcesses(say);
const figures: BenchFigure[] = [];

const dataRoot = await mkdtemp(join(tmpdir(), "agrinet-bench-collections-"));
const server = await startEmbeddedPostgres({
  dataDir: join(dataRoot, "data"),
  persistent: false,
  maxConnections: 200,
  ...(pgStatements ? { settings: { shared_preload_libraries: "pg_stat_statements", "pg_stat_statements.track": "all" } } : {}),
});
try {
  const adminUrl = server.url();
  await withPgClient(adminUrl, (client) => client.query("create database bench_collections"));
  const parsed = new URL(adminUrl);
  parsed.pathname = "/bench_collections";
  const url = parsed.toString();
  await applyMigrations(url);
  await migrateJobQueue(url);
  const db = createDb({ connectionString: url, maxConnections: 4 });
  const postgresPid = postmasterPid(join(dataRoot, "data"));

  buildServices();
  const sandboxPort = await freePort();
  const apiPort = await freePort();
  const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const passkey = "bench-passkey";
  const sandbox = services.start("sandbox", [builtServices.sandbox], {
    DARAJA_SANDBOX_PORT: String(sandboxPort),
    // The payer answers the prompt at once (the callback leaves with the push's answer, not on a
    // timer a millisecond later): the figure is the platform's, not a person's.
    DARAJA_SANDBOX_STK_PIN_DELAY_MS: "0",
    DARAJA_SANDBOX_STK_PASSKEY: passkey,
  });
  const mpesaEnv = {
    MPESA_BASE_URL: sandboxUrl,
    MPESA_CONSUMER_KEY: "sandbox-consumer-key",
    MPESA_CONSUMER_SECRET: "sandbox-consumer-secret",
    MPESA_SHORTCODE: "600996",
    MPESA_INITIATOR_NAME: "agrinet-sandbox",
    MPESA_SECURITY_CREDENTIAL: "sandbox-security-credential",
    MPESA_CALLBACK_BASE_URL: `${apiUrl}/payments/mpesa`,
    MPESA_CALLBACK_TOKEN: randomBytes(18).toString("base64url").replace(/sql|cmd|exec|query|mpesa/gi, "x"),
    MPESA_STK_PASSKEY: passkey,
    MPESA_STK_TIMEOUT_SECONDS: String(stkTimeoutSeconds),
  };
  const worker = services.start("worker", [...workerNodeFlags, builtServices.worker], {
    ...workerProcessEnv,
    ...mpesaEnv,
    DATABASE_URL: url,
    LOG_LEVEL: "silent",
    WORKER_HEARTBEAT_SECONDS: "1",
  });
  const api = services.start("api", [...apiNodeFlags, builtServices.api], {
    ...apiProcessEnv,
    ...mpesaEnv,
    DATABASE_URL: url,
    API_PORT: String(apiPort),
    LOG_LEVEL: "silent",
    BETTER_AUTH_SECRET: randomBytes(32).toString("hex"),
    RATE_LIMIT_PER_MINUTE: "1000000000",
  });
  await services.waitFor("daraja sandbox", async () => (await fetch(`${sandboxUrl}/__sandbox/stats`)).ok);
  // /readyz is 200 only once the database, the migrations and a live worker heartbeat are there.
  await services.waitFor("api and worker", async () => (await fetch(`${apiUrl}/readyz`)).ok);
  const key = await createPartnerKey({ db, name: "bench", scopes: ["deposits:write", "deposits:read"], actor: "system:bench" });

  const processes: Record<string, () => number> = {
    api: () => processCpuSeconds(api.pid!),
    worker: () => processCpuSeconds(worker.pid!),
    sandbox: () => processCpuSeconds(sandbox.pid!),
    "load generator": () => processCpuSeconds(process.pid),
    postgres: () => processTreeCpuSeconds(postgresPid),
  };
  const readCpu = () => Object.fromEntries(Object.entries(processes).map(([name, read]) => [name, read()]));

  async function drive(label: string, prefix: string, phone: boolean, settled: () => Promise<number>, amount = count) {
    const before = readCpu();
    const started = performance.now();
    let sequence = 0;
    const load = await autocannon({
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
          path: "/deposit",
          headers: { "content-type": "application/json", "x-api-key": key.key },
          setupRequest: (request) => {
            const i = sequence++;
            return {
              ...request,
              body: JSON.stringify({
                userId: `bench_user_${i % 200}`,
                amount: 100_000,
                currency: "KES",
                method: "mpesa",
                reference: `${prefix}-${runId}-${i}`,
                ...(phone ? { phoneNumber: `+2547${String(10_000_000 + (i % 80_000_000)).padStart(8, "0")}` } : {}),
              }),
            };
          },
          // No onResponse: autocannon would build each answer's headers into an object for it.
          // What was not 2xx is in its statusCodeStats.
        },
      ],
    });
    const created = load["2xx"];
    if (created !== amount) {
      const refused = Object.entries(load.statusCodeStats ?? {}).filter(([status]) => Number(status) >= 300);
      throw new Error(`${label}: ${created} of ${amount} requests answered 2xx (${refused.map(([s, { count }]) => `${count} × ${s}`).join(", ")})`);
    }
    const createdSeconds = (performance.now() - started) / 1000;
    const deadline = Date.now() + 120_000;
    while ((await settled()) < amount) {
      if (Date.now() > deadline) throw new Error(`${label}: not all ${amount} settled within 120 s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const seconds = (performance.now() - started) / 1000;
    const after = readCpu();
    const cpuMs = Object.fromEntries(Object.keys(processes).map((name) => [name, ((after[name]! - before[name]!) * 1000) / amount]));
    say(
      `${label}: ${amount} in ${seconds.toFixed(2)} s = ${(amount / seconds).toFixed(0)}/s (requests answered after ${createdSeconds.toFixed(2)} s, ` +
        `p50 ${load.latency.p50} ms, p99 ${load.latency.p99} ms); CPU ms per deposit: ` +
        Object.entries(cpuMs).map(([name, ms]) => `${name} ${ms.toFixed(2)}`).join(", "),
    );
    return { rate: amount / seconds, cpuMs, p50: load.latency.p50, p99: load.latency.p99 };
  }

  // A database in service has rows and statistics: on empty tables each connection's first plans
  // for its named statements scan whole tables and are kept. Nothing of the warm-up is measured.
  if (warmupCount > 0) {
    await drive("warm-up (STK deposits, not measured)", "warm", true, () =>
      db.deposit.count({ where: { reference: { startsWith: `warm-${runId}-` }, status: "confirmed" } }), warmupCount);
    await db.$executeRawUnsafe("analyze");
  }

  const loadBefore = machineLoad().loadAverage.join(", ");
  const manual = await drive("manual deposits (baseline)", "manual", false, () =>
    db.deposit.count({ where: { reference: { startsWith: `manual-${runId}-` } } }),
  );
  if (pgStatements) {
    await withPgClient(url, async (client) => {
      await client.query("create extension if not exists pg_stat_statements");
      await client.query("select pg_stat_statements_reset(), pg_stat_reset()");
    });
  }
  const stk = await drive("STK deposits end to end", "stk", true, () =>
    db.deposit.count({ where: { reference: { startsWith: `stk-${runId}-` }, status: "confirmed" } }),
  );
  const loadAfter = machineLoad().loadAverage.join(", ");
  const [credits] = await db.$queryRaw<Array<{ n: bigint }>>`
    select count(*) as n from ledger_transactions where kind = 'deposit' and metadata ->> 'reference' like ${`stk-${runId}-%`}`;
  if (Number(credits!.n) !== count) throw new Error(`expected ${count} credits, found ${credits!.n}`);
  const byQuery = await db.mpesaPayment.count({
    where: { kind: "stk", state: "paid", receipt: null, deposit: { reference: { startsWith: `stk-${runId}-` } } },
  });
  // A deadlock costs its transactions deadlock_timeout (1 s) before one of them is refused.
  const [database] = await db.$queryRaw<Array<{ deadlocks: bigint }>>`
    select deadlocks from pg_stat_database where datname = current_database()`;
  say(`confirmed by STK Query (callback lost): ${byQuery} of ${count}; deadlocks in the whole run: ${database!.deadlocks}; machine load ${loadBefore} → ${loadAfter}`);
  if (pgStatements) {
    await withPgClient(url, async (client) => {
      const { rows } = await client.query<{ calls: string; us: string; query: string; toplevel: boolean }>(
        `select calls, round((total_exec_time * 1000 / $1)::numeric, 1) as us, toplevel,
                left(regexp_replace(query, '\\s+', ' ', 'g'), 120) as query
         from pg_stat_statements order by total_exec_time desc limit ${Number(process.env.BENCH_PG_STATEMENTS_TOP ?? 20)}`,
        [count],
      );
      const { rows: totals } = await client.query<{ calls: string; statements: string }>(
        "select sum(calls) filter (where toplevel)::text as calls, count(*) filter (where toplevel)::text as statements from pg_stat_statements",
      );
      say(`PostgreSQL top-level statements per STK deposit: ${(Number(totals[0]!.calls) / count).toFixed(2)} (${totals[0]!.statements} distinct)`);
      say("PostgreSQL µs per STK deposit by statement (exec, wall time; n = nested in a function):");
      for (const row of rows) say(`  ${row.toplevel ? "t" : "n"} ${row.us} µs, ${row.calls} calls: ${row.query}`);
      await printTableWrites(client, count, "STK deposit", say);
    });
  }

  const product = stk.cpuMs.api! + stk.cpuMs.worker! + stk.cpuMs.postgres!;
  figures.push(
    {
      group: "collections",
      name: "STK deposits end to end (request → callback → ledger credit)",
      value: Math.round(stk.rate),
      unit: "deposits/s",
      baseline: { name: "manual deposit create (POST /deposit, no STK)", value: Math.round(manual.rate), unit: "deposits/s" },
      ratio: stk.rate / manual.rate,
      target: "≥ 1,000 deposits/s (this machine)",
      met: stk.rate >= 1_000,
      note: `${count} deposits over ${connections} connections; API, worker, sandbox and load generator each their own process; ${byQuery} confirmed by STK Query; load ${loadBefore} → ${loadAfter}`,
    },
    { group: "collections", name: "STK deposit requests: p99 latency", value: stk.p99, unit: "ms", absolute: true },
    { group: "collections", name: "CPU per STK deposit: API + worker + PostgreSQL", value: Number(product.toFixed(3)), unit: "ms", absolute: true },
    ...Object.entries(stk.cpuMs).map(([name, ms]) => ({
      group: "collections",
      name: `CPU per STK deposit: ${name}`,
      value: Number(ms.toFixed(3)),
      unit: "ms",
      absolute: true as const,
    })),
  );
  await db.$disconnect();
} finally {
  await services.stopAll();
  await server.stop();
  await rm(dataRoot, { recursive: true, force: true });
}
await reportFigures(figures);
