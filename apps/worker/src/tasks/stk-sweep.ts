import type { Db } from "@agrinet/db";
import { sweepStkQueries, type MpesaCollectionsSettings } from "@agrinet/domain";
import type { JobTask } from "@agrinet/job-queue";

/** Queries M-Pesa about STK pushes whose callback is late; null settings: none can have been sent. */
export function stkSweepTask(db: Db, collections: MpesaCollectionsSettings | null): JobTask<"stkSweep"> {
  return async (_payload, helpers) => {
    if (!collections) return;
    const result = await sweepStkQueries({
      db,
      settings: collections,
      onError: (paymentId, error) => helpers.logger.error(`STK query of M-Pesa payment ${paymentId} failed: ${String(error)}`),
    });
    if (result.asked + result.settled > 0) helpers.logger.debug(`STK sweep: ${JSON.stringify(result)}`);
  };
}
