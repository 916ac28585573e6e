import { currencyInput } from "@agrinet/core";
import { maxRunLimit, payoutDestinationTypes, runPayouts } from "@agrinet/domain";
import { z } from "zod";
import { actorOf } from "../../access";
import { defaultPayoutSettings } from "../../context";
import { procedure } from "../../trpc";
import { currencyTotalOutput } from "./payout-schemas";

export const runPayoutsInput = z
  .object({
    currency: currencyInput.optional(),
    destinationType: z.enum(payoutDestinationTypes).optional(),
    limit: z.coerce.number().int().min(1).max(maxRunLimit).optional(),
    /** Only report what would run, with totals per currency. */
    dryRun: z.boolean().default(false),
    /**
     * How long to wait for the batch before answering, capped by PAYOUTS_RUN_WAIT_SECONDS
     * (the default). 0 answers at once with the batch id, for callers that follow the batch
     * themselves (the dashboard's progress bar reads the stream and getPayoutBatch).
     */
    waitSeconds: z.coerce.number().int().min(0).max(3_600).optional(),
  })
  .default({ dryRun: false });

export const runPayoutsOutput = z.union([
  z.object({ dryRun: z.literal(true), count: z.number().int(), totals: z.array(currencyTotalOutput) }),
  z.object({
    dryRun: z.literal(false),
    batchId: z.string(),
    jobIds: z.array(z.string()),
    total: z.number().int(),
    processed: z.number().int(),
    failed: z.number().int(),
    queued: z.number().int(),
    totals: z.array(currencyTotalOutput),
    finished: z.boolean(),
  }),
]);

export const runPayoutsProcedure = procedure
  .meta({
    access: { staff: ["admin", "operator"] },
    description:
      "Processes queued payouts as a batch through the worker, waits up to PAYOUTS_RUN_WAIT_SECONDS and returns the batch's counts (processed, failed, queued).",
    openapi: { method: "POST", path: "/admin/payouts/run", tags: ["payouts"], summary: "Run queued payouts as a batch", errors: ["WORKER_OFFLINE"] },
  })
  .input(runPayoutsInput)
  .output(runPayoutsOutput)
  .mutation(({ ctx, input }) => {
    const settings = ctx.payouts ?? defaultPayoutSettings;
    const { dryRun, waitSeconds, ...filters } = input;
    return runPayouts({
      db: ctx.db,
      requestedBy: actorOf(ctx.principal),
      filters,
      dryRun,
      waitMs: waitSeconds === undefined ? settings.runWaitMs : Math.min(waitSeconds * 1000, settings.runWaitMs),
      audit: { actor: actorOf(ctx.principal), ip: ctx.ip },
    });
  });
