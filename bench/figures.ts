// The one shape every benchmark reports in, so `pnpm bench` can print a single table and write
// one JSON file. A figure is either a ratio against a baseline measured in the same run (the
// only kind of number that survives a shared, noisy machine) or an absolute that holds only for
// this machine, and says so.
import { writeFile } from "node:fs/promises";

export type BenchFigure = {
  /** "ledger", "payouts", "api", "memory", "scale". */
  group: string;
  name: string;
  value: number;
  /** "ops/s", "payouts/s", "req/s", "ms", "MB", "s". */
  unit: string;
  /** The same-run baseline this figure is compared with. */
  baseline?: { name: string; value: number; unit: string };
  /** value ÷ baseline, oriented so that the target reads naturally (documented per figure). */
  ratio?: number;
  /** What the issue asks for, e.g. "ratio ≥ 0.5" or "≤ 250 MB". */
  target?: string;
  /** Whether the target was met; absent when there is no target. */
  met?: boolean;
  /** True for figures that hold only for this machine (no same-run baseline). */
  absolute?: boolean;
  note?: string;
};

/**
 * A benchmark script run on its own prints its figures; run by `pnpm bench` (BENCH_OUTPUT set to
 * a file path) it also writes them there for the combined table and JSON.
 */
export async function reportFigures(figures: BenchFigure[]): Promise<void> {
  const output = process.env.BENCH_OUTPUT;
  if (output) await writeFile(output, JSON.stringify(figures, null, 2));
  for (const figure of figures) {
    const ratio = figure.ratio === undefined ? "" : ` (ratio ${figure.ratio.toFixed(2)} vs ${figure.baseline?.name ?? "baseline"})`;
    const target = figure.target ? ` target ${figure.target}${figure.met === undefined ? "" : figure.met ? " ✓" : " ✗"}` : "";
    process.stdout.write(`[${figure.group}] ${figure.name}: ${figure.value} ${figure.unit}${ratio}${target}\n`);
  }
}

/** The value below which a fraction `q` (0.5, 0.99) of `sorted` (ascending) lies: nearest rank. */
export function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
