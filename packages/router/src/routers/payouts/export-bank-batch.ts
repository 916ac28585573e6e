import { currencyInput } from "@agrinet/core";
import { exportBankBatch } from "@agrinet/domain";
import { z } from "zod";
import { actorOf } from "../../access";
import { procedure } from "../../trpc";
import { batchIdInput } from "./payout-schemas";

export const exportBankBatchProcedure = procedure
  .meta({
    access: { staff: ["admin", "operator"] },
    description:
      "Exports the bank payouts not yet exported as a CSV batch for the bank's portal (or re-downloads an earlier batch by id).",
  })
  .input(
    z.object({
      batchId: batchIdInput.optional(),
      currency: currencyInput.optional(),
      limit: z.coerce.number().int().min(1).max(5_000).default(1_000),
    }),
  )
  .output(z.object({ batchId: z.string(), count: z.number().int(), csv: z.string(), totals: z.record(z.string(), z.string()) }))
  .mutation(({ ctx, input }) =>
    exportBankBatch({ db: ctx.db, requestedBy: actorOf(ctx.principal), ...input }),
  );
