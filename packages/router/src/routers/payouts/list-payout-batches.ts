import { listPayoutBatches } from "@agrinet/domain";
import { isoDateOutput, nullableIsoDateOutput, pageInput, pageOutput } from "@agrinet/schemas";
import { z } from "zod";
import { everyStaff } from "../../access";
import { staleReadDb } from "../../context";
import { procedure } from "../../trpc";
import { batchIdInput } from "./payout-schemas";

export const listPayoutBatchesProcedure = procedure
  .meta({
    access: { staff: everyStaff },
    description: "Past payout runs, newest first: who started each, how many payouts it took, how many were paid, failed or are still going, and its totals per currency.",
  })
  .input(pageInput.extend({ cursor: batchIdInput.optional() }))
  .output(
    pageOutput(
      z.object({
        batchId: z.string(),
        requestedBy: z.string(),
        filters: z.unknown(),
        total: z.number().int(),
        processed: z.number().int(),
        failed: z.number().int(),
        queued: z.number().int(),
        totals: z.record(z.string(), z.string()),
        createdAt: isoDateOutput,
        finishedAt: nullableIsoDateOutput,
      }),
    ),
  )
  .query(({ ctx, input }) => listPayoutBatches({ db: staleReadDb(ctx), limit: input.limit, cursor: input.cursor }));
