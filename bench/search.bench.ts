// Search: the dashboard's search box (searchDashboard, what dashboard.search runs) at 1,000,000
// deposits and 1,000,000 payouts, per kind of term, against one primary-key lookup through the
// same Prisma client measured in the same run. The data is generated in PostgreSQL
// (generate_series, set-based, not timed): a third of the deposits are M-Pesa STK collections with
// the payer's phone and receipt; payouts go to 50,000 phone numbers (~20 each); amounts repeat
// as real ones do (one in twenty is KES 1,000.00, so that term matches ~100,000 rows of each).
//   BENCH_SEARCH_ROWS (1,000,000 of each; BENCH_QUICK: 50,000), BENCH_SEARCH_SAMPLES (200 per term kind),
//   BENCH_SEARCH_EXPLAIN=1 (print EXPLAIN (ANALYZE, BUFFERS) of the search statement for each kind, generic plan as the pool runs it)
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDb, type Db } from "@agrinet/db";
import { startEmbeddedPostgres } from "@agrinet/db/embedded";
import { applyMigrations, withPgClient } from "@agrinet/db/migrate";
import { dashboardSearchStatement, searchDashboard } from "@agrinet/domain";
import { quantile, reportFigures, type BenchFigure } from "./figures";
import { machineLoad } from "./machine-load";

const rows = Number(process.env.BENCH_SEARCH_ROWS ?? (process.env.BENCH_QUICK ? 50_000 : 1_000_000));
const explain = process.env.BENCH_SEARCH_EXPLAIN === "1";
const samples = Number(process.env.BENCH_SEARCH_SAMPLES ?? (process.env.BENCH_QUICK ? 50 : 200));
const phones = Math.max(1, Math.floor(rows / 20));
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

// Row i's values, the same expressions in SQL (seeding) and here (choosing terms that exist).
const subscriber = (i: number) => String(700_000_000 + (i % phones));
const depositId = (i: number) => `dep_bench_${i}`;
/** Deposit i's amount as the dashboard shows it (not one of the common KES 1,000.00 rows). */
const depositAmountShown = (i: number) => `${1 + (((i % 20 === 0 ? i + 1 : i) * 7919) % 50_000)}.00`;

const seedSql = `
  insert into deposits (partner_id, id, user_id, amount, currency, method, reference, status, created_at)
  select 'partner_default', 'dep_bench_' || i, 'user_bench_' || (i % 20000),
         case when i % 20 = 0 then 100000 else 100 * (1 + (i::bigint * 7919) % 50000) end,
         'KES', (case when i % 3 = 0 then 'mpesa' else 'bank' end)::deposit_method,
         'dref_' || i, 'pending', now() - make_interval(secs => ($1::int - i) * 30)
  from generate_series(1, $1::int) as i;

  insert into mpesa_payments (id, kind, deposit_id, phone_number, receipt, currency, state, amount, created_at)
  select 'mp_bench_' || i, 'stk', 'dep_bench_' || i, '+254' || (700000000 + (i % $2::int)),
         'RCPT' || i, 'KES', 'paid', 100, now() - make_interval(secs => ($1::int - i) * 30)
  from generate_series(3, $1::int, 3) as i;

  insert into payouts (partner_id, id, user_id, amount, currency, destination_type, destination, reference, request_hash,
                       status, provider_reference, paid_at, created_at)
  select 'partner_default', 'po_bench_' || i, 'user_bench_' || (i % 20000),
         case when i % 20 = 0 then 100000 else 100 * (1 + (i::bigint * 104729) % 50000) end,
         'KES', 'mpesa', jsonb_build_object('type', 'mpesa', 'account', '+254' || (700000000 + (i % $2::int))),
         'pref_' || i, 'bench',
         case when i % 2 = 0 then 'paid' else 'queued' end,
         case when i % 2 = 0 then 'B2C' || i end,
         case when i % 2 = 0 then now() end,
         now() - make_interval(secs => ($1::int - i) * 30)
  from generate_series(1, $1::int) as i;

  analyze deposits; analyze payouts; analyze mpesa_payments;`;

type Latency = { p50: number; p99: number };

/**
 * Times `run` against `baseline`, alternating one sample of each, so a burst of load elsewhere on
 * the shared machine hits both alike.
 */
async function timeAgainst(run: (i: number) => Promise<unknown>, baseline: (i: number) => Promise<unknown>): Promise<{ run: Latency; baseline: Latency }> {
  for (let i = 0; i < 10; i++) await Promise.all([run(i), baseline(i)]); // warm the plans and the pool
  const runMs: number[] = [];
  const baselineMs: number[] = [];
  for (let i = 0; i < samples; i++) {
    for (const [fn, into] of [[run, runMs], [baseline, baselineMs]] as const) {
      const started = process.hrtime.bigint();
      await fn(i);
      into.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
  }
  const latency = (ms: number[]) => {
    ms.sort((a, b) => a - b);
    return { p50: quantile(ms, 0.5), p99: quantile(ms, 0.99) };
  };
  return { run: latency(runMs), baseline: latency(baselineMs) };
}

// Spread over the table so the pages are not all cached by the previous sample.
const pick = (i: number) => 1 + ((i * 7_919_993) % rows);
const pickStk = (i: number) => 3 * (1 + ((i * 7_919_993) % Math.floor(rows / 3)));

type Term = { kind: string; term: (i: number) => string; expect: string };
const terms: Term[] = [
  { kind: "deposit id", term: (i) => depositId(pick(i)), expect: "deposit" },
  { kind: "payout reference", term: (i) => `pref_${pick(i)}`, expect: "payout" },
  { kind: "M-Pesa receipt (deposit)", term: (i) => `RCPT${pickStk(i)}`, expect: "deposit" },
  { kind: "payout rail receipt", term: (i) => `B2C${2 * Math.ceil(pick(i) / 2)}`, expect: "payout" },
  { kind: "phone number, local form", term: (i) => `0${subscriber(pick(i))}`, expect: "payout" },
  { kind: "exact amount, rare (~20 rows)", term: (i) => depositAmountShown(pick(i)), expect: "deposit" },
  { kind: "exact amount, common (~5% of rows)", term: () => "KES 1,000.00", expect: "payout" },
  { kind: "user id", term: (i) => `user_bench_${pick(i) % 20_000}`, expect: "user" },
  { kind: "nothing matches", term: (i) => `nothing-${i}`, expect: "" },
];

const loadAtStart = machineLoad();
const dataRoot = await mkdtemp(join(tmpdir(), "agrinet-bench-search-"));
const server = await startEmbeddedPostgres({ dataDir: join(dataRoot, "data"), persistent: false, durability: "full", maxConnections: 50 });
const url = server.url("bench");
let db: Db | undefined;
try {
  await withPgClient(server.url(), (c) => c.query("create database bench"));
  await applyMigrations(url);
  const seedStarted = process.hrtime.bigint();
  await withPgClient(url, async (client) => {
    for (const statement of seedSql.split(";").map((s) => s.trim()).filter(Boolean)) {
      await client.query(statement, statement.includes("$2") ? [rows, phones] : statement.includes("$1") ? [rows] : []);
    }
  });
  const seedSeconds = Number(process.hrtime.bigint() - seedStarted) / 1e9;
  db = createDb({ connectionString: url, maxConnections: 10, connectionTimeoutMillis: 60_000 });
  const client = db;

  const lookup = (i: number) => client.deposit.findUnique({ where: { id: depositId(pick(i + 7)) }, select: { id: true } });
  const figures: BenchFigure[] = [];
  let worst = { kind: "", p99: 0, baselineP99: 1 };
  for (const { kind, term, expect } of terms) {
    // Every kind must find what it is meant to, or the timing would measure a miss.
    const hits = await searchDashboard({ db: client, query: term(0) });
    if (expect && !hits.some((hit) => hit.kind === expect)) throw new Error(`search for ${kind} (${term(0)}) found no ${expect}: ${JSON.stringify(hits)}`);
    if (!expect && hits.length) throw new Error(`search for ${kind} found ${hits.length} hits`);
    if (explain) {
      // As the pool runs it: a named statement, on PostgreSQL's generic plan (forced here; the
      // pool's connections switch to it after five runs when it costs no more than custom ones).
      await withPgClient(url, async (pg) => {
        const { text, values } = dashboardSearchStatement(term(1));
        await pg.query(`prepare explained as ${text}`);
        await pg.query(`set plan_cache_mode = force_generic_plan`);
        // EXECUTE takes literals, not bound parameters.
        const literal = (value: unknown): string =>
          value === null
            ? "null"
            : Array.isArray(value)
              ? pg.escapeLiteral(`{${value.map((item) => JSON.stringify(String(item))).join(",")}}`)
              : typeof value === "string"
                ? pg.escapeLiteral(value)
                : String(value);
        const plan = await pg.query<{ "QUERY PLAN": string }>(`explain (analyze, buffers) execute explained(${values.map(literal).join(", ")})`);
        process.stdout.write(`[search] plan for ${kind}:\n${plan.rows.map((row) => row["QUERY PLAN"]).join("\n")}\n`);
      });
    }
    const measured = await timeAgainst((i) => searchDashboard({ db: client, query: term(i) }), lookup);
    if (measured.run.p99 > worst.p99) worst = { kind, p99: measured.run.p99, baselineP99: measured.baseline.p99 };
    figures.push({
      group: "search",
      name: `search by ${kind}, p50`,
      value: round(measured.run.p50),
      unit: "ms",
      baseline: { name: "deposit by primary key (same Prisma client, alternating), p50", value: round(measured.baseline.p50, 3), unit: "ms" },
      ratio: round(measured.run.p50 / measured.baseline.p50),
      note: `p99 ${round(measured.run.p99)} ms (baseline p99 ${round(measured.baseline.p99)} ms)`,
    });
    process.stdout.write(`[search] ${kind}: p99 ${round(measured.run.p99)} ms, baseline p99 ${round(measured.baseline.p99)} ms\n`);
  }
  figures.push({
    group: "search",
    name: `slowest p99 (${worst.kind}) at ${rows.toLocaleString("en")} deposits + ${rows.toLocaleString("en")} payouts`,
    value: round(worst.p99),
    unit: "ms",
    baseline: { name: "deposit by primary key, p99", value: round(worst.baselineP99, 3), unit: "ms" },
    ratio: round(worst.p99 / worst.baselineP99),
    target: "≤ 100 ms (this machine)",
    met: worst.p99 <= 100,
    absolute: true,
    note: `seeded in ${round(seedSeconds, 1)} s; ${samples} samples per kind; load ${loadAtStart.uptime} → ${machineLoad().uptime}`,
  });
  await reportFigures(figures);
  process.stdout.write(`${figures.at(-1)!.note}\n`);
} finally {
  await db?.$disconnect();
  await server.stop();
  await rm(dataRoot, { recursive: true, force: true });
}
