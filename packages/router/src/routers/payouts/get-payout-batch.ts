import { getPayoutBatch } from "@agrinet/domain";
import { isoDateOutput, nullableIsoDateOutput } from "@agrinet/schemas";
import { z } from "zod";
import { everyStaff } from "../../access";
import { procedure } from "../../trpc";
import { batchIdInput } from "./payout-schemas";

export const getPayoutBatchProcedure = procedure
  .meta({
    access: { staff: everyStaff },
    description: "A payout run's progress: total, processed, failed and still queued.",
    openapi: {
      method: "GET",
      // Not under /payouts/: `/payouts/batches/{batchId}` and `/payouts/{payoutId}/cancel` were ambiguous paths.
      path: "/api/v1/payout-batches/{batchId}",
      formerPaths: ["/api/v1/payouts/batches/{batchId}"],
      tags: ["payouts"],
      summary: "A payout run's progress",
    },
  })
  .input(z.object({ batchId: batchIdInput }))
  .output(
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
  )
  .query(({ ctx, input }) => getPayoutBatch({ db: ctx.db, batchId: input.batchId }));
