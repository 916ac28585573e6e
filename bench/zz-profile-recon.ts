// Reconciliation: import and match a 100,000-line M-Pesa statement (preview, commit, matching),
// against a plain COPY of the same file into PostgreSQL in the same run. Every line matches a
// ledger posting on external:mpesa:KES, posted beforehand (not timed).
//   BENCH_RECON_LINES (100,000; BENCH_QUICK: 10,000)
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDb, type Db } from "@agrinet/db";
import { startEmbeddedPostgres } from "@agrinet/db/embedded";
import { applyMigrations, withPgClient } from "@agrinet/db/migrate";
import { commitStatement, externalAccount, importStatement, postLedgerTransactionsBatch, userWalletAccount } from "@agrinet/domain";
import { reportFigures, type BenchFigure } from "./figures";
import { machineLoad } from "./machine-load";

const lines = Number(process.env.BENCH_RECON_LINES ?? (process.env.BENCH_QUICK ? 10_000 : 100_000));
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

const columns = "Receipt No.,Completion Time,Initiation Time,Details,Transaction Status,Paid In,Withdrawn,Balance,Balance Confirmed,Reason Type,Other Party Info,Linked Transaction ID,A/C No.";

function portalTime(date: Date) {
  const iso = new Date(date.getTime() + 3 * 3_600_000).toISOString();
  return `${iso.slice(8, 10)}-${iso.slice(5, 7)}-${iso.slice(0, 4)} ${iso.slice(11, 19)}`;
}

async function postMovements(db: Db, receipts: string[], amounts: bigint[]) {
  for (let start = 0; start < receipts.length; start += 2_000) {
    const items = receipts.slice(start, start + 2_000).map((receipt, i) => {
      const amount = amounts[start + i]!;
      return {
        idempotencyKey: `bench-recon:${receipt}`,
        kind: "deposit" as const,
        metadata: { reference: receipt },
        postings: [
          { account: externalAccount("mpesa", "KES"), amount: -amount, currency: "KES" as const },
          { account: userWalletAccount(`user_bench_${(start + i) % 500}`, "KES"), amount, currency: "KES" as const },
        ],
      };
    });
    const results = await postLedgerTransactionsBatch(db, items);
    if (results.some((r) => !r.ok)) throw new Error("posting the ledger movements failed");
  }
}

const loadAtStart = machineLoad();
const dataRoot = await mkdtemp(join(tmpdir(), "agrinet-bench-recon-"));
const server = await startEmbeddedPostgres({ dataDir: join(dataRoot, "data"), persistent: false, durability: "full", maxConnections: 50, settings: { shared_preload_libraries: process.env.PGLOG ? "pg_stat_statements,auto_explain" : "pg_stat_statements", "pg_stat_statements.track": "all", "auto_explain.log_min_duration": "150", "auto_explain.log_analyze": "on", "auto_explain.log_nested_statements": "on", "auto_explain.log_buffers": "on" }, onLog: (m: string) => { if (process.env.PGLOG) process.stderr.write(m + "\n"); } });
const url = server.url("bench");
let db: Db | undefined;
try {
  await withPgClient(server.url(), (c) => c.query("create database bench"));
  await applyMigrations(url);
  db = createDb({ connectionString: url, maxConnections: 10, connectionTimeoutMillis: 60_000 });

  const receipts = Array.from({ length: lines }, (_, i) => `BNC${i.toString(36).toUpperCase().padStart(7, "0")}`);
  const amounts = receipts.map((_, i) => BigInt(100 * (10 + (i % 5_000))));
  await postMovements(db, receipts, amounts);
  const now = new Date();
  const csv = `${[
    columns,
    ...receipts.map((receipt, i) => {
      const major = (amounts[i]! / 100n).toString();
      const at = portalTime(now);
      return `${receipt},${at},${at},Pay Bill Online,Completed,${major}.00,,,true,Pay Bill Online,254700000000 - Customer,,`;
    }),
  ].join("\r\n")}\r\n`;
  const bytes = Buffer.from(csv);

  // Baseline: PostgreSQL reading the same file with COPY into a plain table of text columns.
  const file = join(dataRoot, "statement.csv");
  await writeFile(file, bytes);
  await chmod(dataRoot, 0o755);
  await chmod(file, 0o644);
  const copySeconds = await withPgClient(url, async (client) => {
    await client.query(`create table copy_baseline (${Array.from({ length: 13 }, (_, i) => `c${i} text`).join(", ")})`);
    const started = process.hrtime.bigint();
    await client.query(`copy copy_baseline from '${file}' with (format csv, header true)`);
    return Number(process.hrtime.bigint() - started) / 1e9;
  });

  await withPgClient(url, (c) => c.query("create extension if not exists pg_stat_statements"));
  await withPgClient(url, (c) => c.query("select pg_stat_statements_reset()"));
  const started = process.hrtime.bigint();
  const preview = await importStatement({ db, source: "mpesa", bytes, fileName: "bench.csv", uploadedBy: "system:bench" });
  const imported = process.hrtime.bigint();
  const committed = await commitStatement({ db, statementId: preview.id, actor: "system:bench" });
  const finished = process.hrtime.bigint();
  const importSeconds = Number(imported - started) / 1e9;
  const totalSeconds = Number(finished - started) / 1e9;
  if (preview.rowsParsed !== lines || committed.run?.matched !== lines) {
    throw new Error(`expected ${lines} lines parsed and matched, got ${preview.rowsParsed} and ${committed.run?.matched}`);
  }
  const figures: BenchFigure[] = [
    {
      group: "reconciliation",
      name: `import + match ${lines.toLocaleString("en")} statement lines`,
      value: round(totalSeconds),
      unit: "s",
      baseline: { name: "plain COPY of the same file", value: round(copySeconds, 3), unit: "s" },
      ratio: round(totalSeconds / copySeconds),
      target: "≤ 20 s (this machine)",
      met: totalSeconds <= 20,
      absolute: true,
      note: `preview ${round(importSeconds)} s, commit and matching ${round(totalSeconds - importSeconds)} s; load ${loadAtStart.uptime} → ${machineLoad().uptime}`,
    },
    {
      group: "reconciliation",
      name: "statement lines imported and matched per second",
      value: Math.round(lines / totalSeconds),
      unit: "lines/s",
      baseline: { name: "COPY lines/s", value: Math.round(lines / copySeconds), unit: "lines/s" },
      ratio: round(copySeconds / totalSeconds, 3),
    },
  ];
  await reportFigures(figures);
  const stats = await withPgClient(url, (c) => c.query("select round(total_exec_time::numeric,1) ms, calls, rows, left(regexp_replace(query, '\\s+', ' ', 'g'), 160) q from pg_stat_statements order by total_exec_time desc limit 25"));
  for (const r of stats.rows) process.stdout.write(`${r.ms}ms x${r.calls} rows=${r.rows} ${r.q}\n`);
  process.stdout.write(`${figures[0]!.note}\n`);
} finally {
  await db?.$disconnect();
  await server.stop();
  await rm(dataRoot, { recursive: true, force: true });
}
