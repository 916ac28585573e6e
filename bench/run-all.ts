// `pnpm bench`: every benchmark, one after the other (2 cores: running them at once would
// measure the benchmarks fighting each other), each in its own process with its own embedded
// PostgreSQL; then one table and one JSON file under bench/results/.
//
// Environment knobs (each script also reads its own when run alone):
//   BENCH_QUICK=1                 small sizes everywhere (a smoke run of a minute or two); any
//                                 knob set explicitly still wins
//   BENCH_ONLY=ledger,api         run only these benchmarks (ledger, payouts, api, reconciliation,
//                                 collections, search, pages)
//   BENCH_SCRIPT_TIMEOUT_SECONDS  a benchmark still running after this is stopped and its
//                                 figures are "not reported" (default 600; the ledger's 2,700:
//                                 generating 10,000,000 postings took 680 s at load ~45, and its
//                                 ~50,000 timed calls ~90 s on a quiet machine, several times that
//                                 under load)
//   ledger:  BENCH_SECONDS (8 per throughput run), BENCH_BATCH_SIZE (200),
//            BENCH_POSTINGS (10,000,000), BENCH_LATENCY_SAMPLES (4,000)
//   payouts: BENCH_PAYOUTS (10,000), BENCH_WORKER_CONCURRENCY (24), BENCH_FIXED_RATE_SECONDS (10)
//   api:     BENCH_API_SECONDS (15 per run), BENCH_API_CONNECTIONS (50), BENCH_API_ROUNDS (2)
//   search:  BENCH_SEARCH_ROWS (1,000,000 deposits and as many payouts), BENCH_SEARCH_SAMPLES (200)
//   pages:   BENCH_PAGE_LOADS (3 loads per list page after a warm-up)
import { spawn } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { BenchFigure } from "./figures";
import { machineLoad } from "./machine-load";

type Benchmark = { name: string; script: string; timeoutSeconds?: number };
const benchmarks: Benchmark[] = [
  { name: "ledger", script: "bench/ledger.bench.ts", timeoutSeconds: 2_700 },
  { name: "payouts", script: "bench/payouts.bench.ts" },
  { name: "api", script: "bench/api.bench.ts" },
  { name: "reconciliation", script: "bench/reconciliation.bench.ts" },
  { name: "collections", script: "bench/collections.bench.ts" },
  { name: "search", script: "bench/search.bench.ts" },
  { name: "pages", script: "bench/page-idle.bench.ts" },
];

const quick = process.env.BENCH_QUICK === "1";
const defaults: Record<string, string> = quick
  ? {
      BENCH_SECONDS: "2",
      BENCH_POSTINGS: "50000",
      BENCH_LATENCY_SAMPLES: "100",
      BENCH_PAYOUTS: "500",
      BENCH_API_SECONDS: "3",
      BENCH_API_ROUNDS: "1",
      BENCH_SEARCH_ROWS: "50000",
    }
  : { BENCH_PAYOUTS: "10000" };
const childEnv: NodeJS.ProcessEnv = { ...defaults, ...process.env };
const timeoutOverride = process.env.BENCH_SCRIPT_TIMEOUT_SECONDS;
const timeoutOf = (benchmark: Benchmark) => Number(timeoutOverride ?? benchmark.timeoutSeconds ?? 600);
const only = process.env.BENCH_ONLY?.split(",").map((s) => s.trim()).filter(Boolean);
const selected = only ? benchmarks.filter((b) => only.includes(b.name)) : benchmarks;
if (only && selected.length !== only.length) {
  process.stderr.write(`bench: BENCH_ONLY names unknown benchmarks; known: ${benchmarks.map((b) => b.name).join(", ")}\n`);
  process.exit(64);
}

/** Set by Ctrl-C / SIGTERM: the running benchmark is stopped and no further one starts. */
let interrupted = false;

type ScriptRun = {
  name: string;
  script: string;
  exitCode: number | null;
  timedOut: boolean;
  seconds: number;
  figures: number;
};

/** Runs one benchmark with its output prefixed, and returns what it reported. */
async function runBenchmark(benchmark: Benchmark, outputFile: string): Promise<{ run: ScriptRun; figures: BenchFigure[] }> {
  const started = performance.now();
  const child = spawn(process.execPath, ["--import", "tsx", benchmark.script], {
    // TMPDIR inside the run's scratch directory: a stopped script's PostgreSQL data goes with it.
    env: { ...childEnv, BENCH_OUTPUT: outputFile, TMPDIR: dirname(outputFile) },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const prefix = (chunk: Buffer) =>
    chunk
      .toString()
      .split("\n")
      .filter((line) => line.length)
      .map((line) => `  [${benchmark.name}] ${line}\n`)
      .join("");
  child.stdout.on("data", (chunk: Buffer) => process.stdout.write(prefix(chunk)));
  child.stderr.on("data", (chunk: Buffer) => process.stderr.write(prefix(chunk)));
  // Its own process group (so a timeout can stop the script's PostgreSQL, API and worker too)
  // does not get the terminal's Ctrl-C: pass it on.
  const forward = (signal: NodeJS.Signals) => {
    interrupted = true;
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  };
  process.on("SIGINT", forward);
  process.on("SIGTERM", forward);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    // The whole process group: the script's own children (API, worker, PostgreSQL) too.
    try {
      process.kill(-child.pid!, "SIGTERM");
      setTimeout(() => {
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          // already gone
        }
      }, 10_000).unref();
    } catch {
      // already gone
    }
  }, timeoutOf(benchmark) * 1000);
  const exitCode = await new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  clearTimeout(timer);
  process.off("SIGINT", forward);
  process.off("SIGTERM", forward);
  let figures: BenchFigure[] = [];
  try {
    figures = JSON.parse(await readFile(outputFile, "utf8")) as BenchFigure[];
  } catch {
    // nothing reported: shown as such in the table
  }
  return {
    run: {
      name: benchmark.name,
      script: benchmark.script,
      exitCode,
      timedOut,
      seconds: Math.round((performance.now() - started) / 100) / 10,
      figures: figures.length,
    },
    figures,
  };
}

function formatNumber(n: number | undefined): string {
  if (n === undefined || Number.isNaN(n)) return "";
  if (Math.abs(n) >= 100) return Math.round(n).toLocaleString("en");
  return String(Math.round(n * 100) / 100);
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const line = (row: string[]) => row.map((cell, column) => cell.padEnd(widths[column]!)).join("  ").trimEnd();
  return [line(rows[0]!), widths.map((w) => "-".repeat(w)).join("  "), ...rows.slice(1).map(line)].join("\n");
}

const startedAt = new Date();
const loadAtStart = machineLoad();
process.stdout.write(
  `pnpm bench: ${selected.map((b) => b.name).join(", ")}${quick ? " (BENCH_QUICK: small sizes)" : ""}; ` +
    `${cpus().length} CPUs; load at start: ${loadAtStart.uptime}\n`,
);

const scratch = await mkdtemp(join(tmpdir(), "agrinet-bench-"));
// Embedded PostgreSQL runs as its own user (we are often root): it must be able to enter TMPDIR.
await chmod(scratch, 0o755);
const runs: ScriptRun[] = [];
const figures: BenchFigure[] = [];
try {
  for (const benchmark of selected) {
    if (interrupted) break;
    process.stdout.write(`\n== ${benchmark.name} (${benchmark.script})\n`);
    const { run, figures: reported } = await runBenchmark(benchmark, join(scratch, `${benchmark.name}.json`));
    runs.push(run);
    figures.push(...reported);
  }
} finally {
  await rm(scratch, { recursive: true, force: true });
}
const loadAtEnd = machineLoad();

const rows: string[][] = [["group", "figure", "value", "unit", "baseline", "ratio", "target", "met"]];
for (const figure of figures) {
  rows.push([
    figure.group,
    figure.name,
    formatNumber(figure.value),
    figure.unit + (figure.absolute ? " (this machine)" : ""),
    figure.baseline ? `${figure.baseline.name}: ${formatNumber(figure.baseline.value)} ${figure.baseline.unit}` : "",
    figure.ratio === undefined ? "" : formatNumber(figure.ratio),
    figure.target ?? "",
    figure.met === undefined ? "" : figure.met ? "yes" : "NO",
  ]);
}
for (const run of runs.filter((r) => r.figures === 0)) {
  const why = run.timedOut ? `timed out after ${timeoutOf(benchmarks.find((b) => b.name === run.name)!)} s` : `exit code ${run.exitCode}`;
  rows.push([run.name, `${run.script}: not reported (${why})`, "", "", "", "", "", "NO"]);
}

process.stdout.write(
  `\n${table(rows)}\n\n` +
    `load (uptime): start ${loadAtStart.uptime} | end ${loadAtEnd.uptime}; ${cpus().length} CPUs, ` +
    `node ${process.version}; ratios compare figures measured in the same run, "(this machine)" marks absolutes\n`,
);
for (const run of runs) {
  const status = run.timedOut ? "TIMED OUT" : run.exitCode === 0 ? "ok" : `exit code ${run.exitCode}`;
  process.stdout.write(`${run.name}: ${status}, ${run.seconds} s, ${run.figures} figures\n`);
}

const resultsDir = join(import.meta.dirname, "results");
await mkdir(resultsDir, { recursive: true });
const file = join(resultsDir, `bench-${startedAt.toISOString().replace(/[:.]/g, "-")}.json`);
await writeFile(
  file,
  JSON.stringify(
    {
      at: startedAt.toISOString(),
      quick,
      machine: { cpus: cpus().length, node: process.version, loadAverage: { start: loadAtStart, end: loadAtEnd } },
      settings: Object.fromEntries(Object.entries(childEnv).filter(([key]) => key.startsWith("BENCH_"))),
      runs,
      figures,
    },
    null,
    2,
  ) + "\n",
);
process.stdout.write(`results: ${file}\n`);
// Unmet targets are findings, not failures; a benchmark that crashed or reported nothing is.
if (runs.some((r) => r.exitCode !== 0 || r.figures === 0)) process.exitCode = 1;
