// The services a benchmark runs as their own processes, as a deployment runs them (the API and
// the worker from their bundles, the Daraja sandbox from its main.ts).
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";

const repoRoot = join(import.meta.dirname, "..");

export type ServiceProcesses = {
  children: ChildProcess[];
  /**
   * BENCH_CPU_PROF=<dir>: a V8 CPU profile of the process, written to <dir>/<name> when it exits.
   * BENCH_NODE_FLAGS: further node flags for every service, e.g. `--perf-basic-prof-only-functions`
   * (a /tmp/perf-<pid>.map, so `perf record` names JS frames: CPU time, where V8's is wall time).
   */
  start(name: string, args: string[], env: Record<string, string>): ChildProcess;
  /** Polls `check` until it holds; fails at once when a process exited. */
  waitFor(what: string, check: () => Promise<boolean>, timeoutMs?: number): Promise<void>;
  /** SIGTERM to each, waiting for it to exit. */
  stopAll(): Promise<void>;
  /** SIGKILL to those still running. */
  killAll(): void;
};

export function serviceProcesses(say: (line: string) => void): ServiceProcesses {
  const children: ChildProcess[] = [];
  const running = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;
  return {
    children,
    start(name, args, env) {
      const profile = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${join(process.env.BENCH_CPU_PROF, name.replace(/\W+/g, "-"))}`] : [];
      const extraFlags = process.env.BENCH_NODE_FLAGS?.split(/\s+/).filter(Boolean) ?? [];
      const child = spawn(process.execPath, [...profile, ...extraFlags, ...args], {
        cwd: repoRoot,
        // Only what the process needs: a developer's shell variables must not change what is measured.
        env: { NODE_ENV: "production", PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
        stdio: ["ignore", "inherit", "inherit"],
      });
      children.push(child);
      child.on("exit", (code, signal) => {
        if (code !== 0 && signal !== "SIGTERM" && signal !== "SIGKILL") say(`${name} exited (code ${code}, signal ${signal})`);
      });
      return child;
    },
    async waitFor(what, check, timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (children.some((child) => !running(child))) throw new Error(`${what}: a process it needs exited`);
        if (await check().catch(() => false)) return;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      throw new Error(`${what} not ready after ${timeoutMs / 1000} s`);
    },
    async stopAll() {
      await Promise.all(
        children.filter(running).map(async (child) => {
          const exited = new Promise((resolve) => child.once("exit", resolve));
          child.kill("SIGTERM");
          await exited;
        }),
      );
    },
    killAll() {
      for (const child of children) if (running(child)) child.kill("SIGKILL");
    },
  };
}
