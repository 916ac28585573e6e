// `pnpm bench:collections`: STK Push deposits end to end on a throwaway embedded PostgreSQL —
// POST /deposit's procedure with a phoneNumber → STK Push to the Daraja sandbox → the sandbox's
// callback over HTTP to the API → the ledger credit — until every deposit is confirmed.
// The API (callbacks), the sandbox and the load generator share this process (as the tests'
// collections harness runs them), so the CPU per deposit is this process's plus PostgreSQL's.
// Reported beside a baseline measured in the same run: a bare manual deposit (no STK Push).
//
//   BENCH_STK_DEPOSITS (2,000; BENCH_QUICK 300), BENCH_STK_PARALLEL (16)
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDb } from "@agrinet/db";
import { startEmbeddedPostgres } from "@agrinet/db/embedded";
import { applyMigrations, withPgClient } from "@agrinet/db/migrate";
import { runMigrations, Logger } from "graphile-worker";
import { sweepStkQueries } from "@agrinet/domain";
import { startCollectionsHarness } from "../apps/api/src/testing/collections-harness";
import { reportFigures, type BenchFigure } from "./figures";
import { postmasterPid, processCpuSeconds, processTreeCpuSeconds } from "./process-cpu";

const quick = process.env.BENCH_QUICK === "1";
const count = Number(process.env.BENCH_STK_DEPOSITS ?? (quick ? 300 : 2_000));
const parallel = Number(process.env.BENCH_STK_PARALLEL ?? 16);
const say = (line: string) => process.stdout.write(`${line}\n`);

const dataRoot = await mkdtemp(join(tmpdir(), "agrinet-bench-collections-"));
const server = await startEmbeddedPostgres({ dataDir: join(dataRoot, "data"), persistent: false, maxConnections: 200 });
const figures: BenchFigure[] = [];
try {
  const adminUrl = server.url();
  await withPgClient(adminUrl, (client) => client.query("create database bench_collections"));
  const parsed = new URL(adminUrl);
  parsed.pathname = "/bench_collections";
  const url = parsed.toString();
  await applyMigrations(url);
  await runMigrations({ connectionString: url, logger: new Logger(() => () => {}) });
  const db = createDb({ connectionString: url, maxConnections: parallel + 8 });
  // Callbacks at once (no PIN delay); a callback lost under load (the sandbox gives up after
  // 10 s) is confirmed by the sweeper's STK Query after 5 s, as in production.
  const harness = await startCollectionsHarness({ db, databaseUrl: url, stkTimeoutMs: 5_000, sandbox: { stkPinDelayMs: 0 } });
  const postgresPid = postmasterPid(join(dataRoot, "data"));
  const cpu = () => ({ bench: processCpuSeconds(process.pid), postgres: processTreeCpuSeconds(postgresPid) });
  const caller = harness.caller();

  async function drive(label: string, create: (i: number) => Promise<unknown>, settled: () => Promise<number>) {
    const before = cpu();
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: parallel }, async () => {
        while (next < count) await create(next++);
      }),
    );
    const deadline = Date.now() + 120_000;
    while ((await settled()) < count) {
      if (Date.now() > deadline) throw new Error(`${label}: not all ${count} settled within 120 s`);
      await sweepStkQueries({ db, settings: harness.settings });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const seconds = (performance.now() - started) / 1000;
    const after = cpu();
    const rate = count / seconds;
    const cpuMs = { bench: ((after.bench - before.bench) * 1000) / count, postgres: ((after.postgres - before.postgres) * 1000) / count };
    say(`${label}: ${count} in ${seconds.toFixed(2)} s = ${rate.toFixed(0)}/s; CPU ms per deposit: process ${cpuMs.bench.toFixed(2)}, PostgreSQL ${cpuMs.postgres.toFixed(2)}`);
    return { rate, cpuMs };
  }

  const manual = await drive(
    "manual deposits (baseline)",
    (i) => caller.deposits.create({ userId: `bench_user_${i % 200}`, amount: 100_000, currency: "KES", method: "mpesa", reference: `bench-manual-${i}` }),
    () => db.deposit.count({ where: { reference: { startsWith: "bench-manual-" } } }),
  );
  const stk = await drive(
    "STK deposits end to end",
    (i) =>
      caller.deposits.create({
        userId: `bench_user_${i % 200}`,
        amount: 100_000,
        currency: "KES",
        method: "mpesa",
        reference: `bench-stk-${i}`,
        phoneNumber: `+2547${String(10_000_000 + (i % 80_000_000)).padStart(8, "0")}`,
      }),
    () => db.deposit.count({ where: { reference: { startsWith: "bench-stk-" }, status: "confirmed" } }),
  );
  const credits = await db.$queryRaw<Array<{ n: bigint }>>`
    select count(*) as n from ledger_transactions where kind = 'deposit' and metadata ->> 'reference' like 'bench-stk-%'`;
  if (Number(credits[0]!.n) !== count) throw new Error(`expected ${count} credits, found ${credits[0]!.n}`);
  const byQuery = await db.mpesaPayment.count({ where: { kind: "stk", state: "paid", receipt: null } });
  say(`confirmed by STK Query (callback lost): ${byQuery} of ${count}`);

  figures.push(
    {
      group: "collections",
      name: "STK deposits end to end (request → callback → ledger credit)",
      value: Math.round(stk.rate),
      unit: "deposits/s",
      baseline: { name: "manual deposit create", value: Math.round(manual.rate), unit: "deposits/s" },
      ratio: stk.rate / manual.rate,
      target: "≥ 1,000 deposits/s (this machine)",
      met: stk.rate >= 1_000,
      note: `${count} deposits, ${parallel} at a time; API, sandbox and load in one process; ${byQuery} confirmed by STK Query`,
    },
    { group: "collections", name: "CPU per STK deposit: API + sandbox + load (one process)", value: Number(stk.cpuMs.bench.toFixed(3)), unit: "ms", absolute: true },
    { group: "collections", name: "CPU per STK deposit: PostgreSQL", value: Number(stk.cpuMs.postgres.toFixed(3)), unit: "ms", absolute: true },
  );
  await harness.stop();
  await db.$disconnect();
} finally {
  await server.stop();
  await rm(dataRoot, { recursive: true, force: true });
}
await reportFigures(figures);
