// The real worker program (apps/worker/src/main.ts) as child processes paying through a payout
// harness, and the SIGKILL-mid-batch check built on it: the crash integration test runs it at
// 1,000 payouts, the reliability suite at 2,000.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Db } from "@agrinet/db";
import { expect } from "vitest";
import { eventually, type PayoutHarness } from "./payouts-harness";

const workerDir = fileURLToPath(new URL("../../../worker", import.meta.url));

export type WorkerProcesses = {
  /** Starts one more worker process; resolves once its heartbeat is in the database. */
  start(env?: Record<string, string>): Promise<ChildProcess>;
  /** SIGTERM to every live worker, SIGKILL after `graceMs`. */
  stopAll(graceMs?: number): Promise<void>;
};

export function workerProcesses(harness: PayoutHarness): WorkerProcesses {
  const children: ChildProcess[] = [];
  const alive = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;
  return {
    async start(env = {}) {
      const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
        cwd: workerDir,
        env: {
          ...process.env,
          ...harness.workerEnv,
          DATABASE_URL: harness.databaseUrl,
          LOG_LEVEL: "fatal",
          WORKER_CONCURRENCY: "16",
          WORKER_HEARTBEAT_SECONDS: "1",
          WORKER_DEAD_AFTER_SECONDS: "3",
          MPESA_RESULT_TIMEOUT_SECONDS: "10",
          ...env,
        },
        stdio: ["ignore", "inherit", "inherit"],
      });
      children.push(child);
      await waitForHeartbeat(harness.db, child);
      return child;
    },
    async stopAll(graceMs = 10_000) {
      await Promise.all(
        children.filter(alive).map(async (child) => {
          const exited = new Promise((resolve) => child.once("exit", resolve));
          child.kill("SIGTERM");
          const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
          await exited;
          clearTimeout(timer);
        }),
      );
    },
  };
}

async function waitForHeartbeat(db: Db, child: ChildProcess) {
  const beats = await eventually(
    () => db.workerHeartbeat.count({ where: { pid: child.pid } }),
    (n) => n > 0 || child.exitCode !== null,
    60_000,
  );
  if (!beats) throw new Error(`worker process ${child.pid} did not start (exit code ${child.exitCode})`);
}

export async function payoutStatusCounts(db: Db): Promise<Record<string, number>> {
  const rows = await db.payout.groupBy({ by: ["status"], _count: true });
  return Object.fromEntries(rows.map((r) => [r.status, r._count]));
}

/** Every `failingEvery`-th payout goes to +254700000002, a number the sandbox refuses. */
export async function createMpesaPayouts(harness: PayoutHarness, options: { total: number; failingEvery: number; prefix: string }) {
  const users = Array.from({ length: 20 }, (_, i) => `user_${options.prefix}${i}`);
  const perUser = BigInt(Math.ceil(options.total / users.length)) * 1000n;
  for (const user of users) await harness.fund(user, perUser);
  const created: string[] = [];
  for (let start = 0; start < options.total; start += 25) {
    const chunk = await Promise.all(
      Array.from({ length: Math.min(25, options.total - start) }, (_, j) => {
        const i = start + j;
        return harness.caller().payouts.createPayout({
          userId: users[i % users.length]!,
          amount: 1000,
          currency: "KES",
          destination: {
            type: "mpesa",
            account: i % options.failingEvery === 0 ? "+254700000002" : `+2547${String(10_000_000 + i).padStart(8, "0")}`,
          },
        });
      }),
    );
    created.push(...chunk.map((p) => p.id));
  }
  return created;
}

/**
 * Runs `total` payouts as one batch on a worker process, SIGKILLs it once `killAfter` are done,
 * starts another, and checks that every payout ended paid or failed exactly once: the sandbox
 * paid each paid payout once and no refused one, the ledger settled each once and released
 * every hold. The harness must run with `runWaitMs: 0`.
 */
export async function killWorkerMidBatch(harness: PayoutHarness, options: { total: number; killAfter: number; prefix: string }) {
  const { total } = options;
  const failingEvery = 20;
  const workers = workerProcesses(harness);
  const db = harness.db;
  try {
    const first = await workers.start();
    await createMpesaPayouts(harness, { total, failingEvery, prefix: options.prefix });

    const run = await harness.caller().payouts.runPayouts({});
    if (run.dryRun) throw new Error("expected a real run");
    expect(run.total).toBe(total);

    const done = (c: Record<string, number>) => (c.paid ?? 0) + (c.failed ?? 0);
    await eventually(() => payoutStatusCounts(db), (c) => done(c) >= options.killAfter, 300_000);
    const exited = new Promise((resolve) => first.once("exit", resolve));
    first.kill("SIGKILL");
    await exited;
    const atKill = await payoutStatusCounts(db);
    expect(done(atKill)).toBeLessThan(total);

    await workers.start();
    const final = await eventually(() => payoutStatusCounts(db), (c) => done(c) === total, 600_000);
    const failed = Math.ceil(total / failingEvery);
    expect(final).toEqual({ paid: total - failed, failed });

    const payments = harness.sandbox.payments();
    const paidIds = new Set((await db.payout.findMany({ where: { status: "paid" }, select: { id: true } })).map((p) => p.id));
    const sandboxIds = payments.map((p) => p.originatorConversationId);
    expect(new Set(sandboxIds).size).toBe(sandboxIds.length);
    expect(new Set(sandboxIds)).toEqual(paidIds);

    expect(await db.ledgerTransaction.count({ where: { kind: "payout_settle" } })).toBe(paidIds.size);
    expect(await db.ledgerHold.count({ where: { status: "pending" } })).toBe(0);
    const batch = await harness.caller().payouts.getPayoutBatch({ batchId: run.batchId });
    expect(batch).toMatchObject({ total, processed: paidIds.size, failed: total - paidIds.size, queued: 0 });
    return { atKill, final, sandboxPayments: payments.length };
  } finally {
    await workers.stopAll();
  }
}
