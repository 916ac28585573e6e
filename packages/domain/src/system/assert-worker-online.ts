import { DomainError } from "@agrinet/core";
import type { Db, Tx } from "@agrinet/db";
import { workerBeatWithin } from "@agrinet/stores/system";
import { workerHeartbeatMaxAgeMs } from "./system-status";

export type AssertWorkerOnlineOptions = {
  db: Db | Tx;
  /** Defaults to `workerHeartbeatMaxAgeMs` (30 s). */
  maxAgeMs?: number;
};

/**
 * Payouts are only accepted while a worker is alive to pay them: queuing money nobody will
 * move would leave producers waiting with their funds frozen.
 */
export async function assertWorkerOnline(options: AssertWorkerOnlineOptions): Promise<void> {
  const maxAgeMs = options.maxAgeMs ?? workerHeartbeatMaxAgeMs;
  // The database clock decides, so API and worker clocks that disagree do not matter.
  if (!(await workerBeatWithin(options.db, maxAgeMs))) throw workerOffline(maxAgeMs);
}

/** WORKER_OFFLINE, saying how to start one. */
export function workerOffline(maxAgeMs: number): DomainError {
  return new DomainError(
    "WORKER_OFFLINE",
    `no payout worker has reported in the last ${Math.round(maxAgeMs / 1000)} s, so payouts cannot be processed. ` +
      "Start it with `pnpm start` (runs API, worker and dashboard) or on its own with " +
      "`pnpm --filter @agrinet/worker start`, then retry.",
    { details: { maxHeartbeatAgeMs: maxAgeMs } },
  );
}
