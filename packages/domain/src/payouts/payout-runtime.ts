import type { Db } from "@agrinet/db";
import { createGroupCommit } from "../shared/group-commit";
import { readCallbackPayouts, type CallbackPayout } from "@agrinet/stores/payouts";
import type { RailsByDestination } from "./process-payout";
import { settlePayouts, type PaidPayout, type SettleResult } from "./settle-payouts";
import { awaitPayoutResults, startPayouts, type AwaitingPayout, type StartedPayout } from "./start-payouts";

/**
 * A process's payout machinery, built once in each app's entry point (the API for M-Pesa's
 * callbacks, the worker for its jobs and status sweeps) and handed to every payout function that
 * learns an outcome. Each step is one function over a batch (startPayouts, awaitPayoutResults,
 * settlePayouts, readCallbackPayouts); the runtime only gathers the callers that reach it at the
 * same time into one call, so a lone payout and a burst take the same code.
 */
export type PayoutRuntime = {
  db: Db;
  rails: RailsByDestination;
  /** How long to wait for an asynchronous result before asking the provider (backs off per check). */
  statusCheckAfterMs: number;
  /** Takes a payout for an attempt (see startPayouts); null when it does not exist. */
  start(payoutId: string): Promise<StartedPayout | null>;
  /** The payout now waits for the provider's result (see awaitPayoutResults); true when a status check is planned. */
  awaitResult(item: AwaitingPayout): Promise<boolean>;
  /** Settles a paid payout (see settlePayouts); resolves once committed. */
  settle(item: PaidPayout): Promise<SettleResult>;
  /** What a callback needs to know about the payout it names. */
  readPayout(payoutId: string): Promise<CallbackPayout | null>;
};

/**
 * A worker's payout jobs reach these statements one by one (each after its own HTTP call), so
 * without a wait a batch held ~6 payouts; waiting this long halves the statements and commits
 * per payout, for a few ms on a payout that takes seconds.
 */
export const payoutWorkerGatherMs = 3;

export type CreatePayoutRuntimeOptions = {
  db: Db;
  rails: RailsByDestination;
  statusCheckAfterMs: number;
  /** Largest batch per statement (group-commit's default otherwise). */
  maxBatch?: number;
  /** A settlement batch failed and is being settled one by one: worth a log line, since it costs speed. */
  onSettleBatchError?: (error: unknown, size: number) => void;
};

/**
 * Group commit for every step: while one batch is in its statement, the calls made meanwhile wait
 * and go together in the next. A batch that fails as a whole (one bad hold, a lost connection) is
 * retried item by item, so one payout's problem never holds up the others. Daraja's callbacks
 * come one request at a time: a settlement or a read waits 2 ms for company before it goes.
 */
export function createPayoutRuntime(options: CreatePayoutRuntimeOptions): PayoutRuntime {
  const { db, maxBatch } = options;
  const pool = db.$pool;
  const start = createGroupCommit<string, StartedPayout | null>({
    key: (id) => id,
    maxBatch,
    gatherMs: payoutWorkerGatherMs,
    run: async (ids) => {
      const started = await startPayouts(pool, ids);
      return ids.map((id) => started.get(id) ?? null);
    },
  });
  const awaitResult = createGroupCommit<AwaitingPayout, boolean>({
    key: (item) => item.payoutId,
    maxBatch,
    gatherMs: payoutWorkerGatherMs,
    run: async (items) => {
      const waiting = await awaitPayoutResults(pool, items);
      return items.map((item) => waiting.has(item.payoutId));
    },
  });
  const settle = createGroupCommit<PaidPayout, SettleResult>({
    key: (item) => item.payoutId,
    maxBatch,
    gatherMs: 2,
    async run(batch) {
      try {
        const results = await settlePayouts(db, batch);
        return batch.map((item) => results.get(item.payoutId)!);
      } catch (error) {
        options.onSettleBatchError?.(error, batch.length);
        throw error;
      }
    },
    runAlone: async (item) => (await settlePayouts(db, [item])).get(item.payoutId)!,
  });
  const readPayout = createGroupCommit<string, CallbackPayout | null>({
    key: (id) => id,
    gatherMs: 2,
    run: async (ids) => {
      const found = await readCallbackPayouts(pool, ids);
      return ids.map((id) => found.get(id) ?? null);
    },
  });
  return { db, rails: options.rails, statusCheckAfterMs: options.statusCheckAfterMs, start, awaitResult, settle, readPayout };
}
