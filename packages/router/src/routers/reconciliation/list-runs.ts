import { listRuns } from "@agrinet/domain";
import { isoDateOutput, nullableIsoDateOutput } from "@agrinet/schemas";
import { z } from "zod";
import { everyStaff } from "../../access";
import { procedure } from "../../trpc";
import { sourceInput } from "./reconciliation-schemas";

export const listRunsProcedure = procedure
  .meta({
    access: { staff: everyStaff },
    description: "Matching runs, newest first, with what each matched and found.",
    openapi: { method: "GET", path: "/api/v1/reconciliation/runs", tags: ["reconciliation"], summary: "List matching runs" },
  })
  .input(z.object({ source: sourceInput.optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }).default({ limit: 50 }))
  .output(
    z.object({
      items: z.array(
        z.object({
          id: z.string(),
          source: z.string(),
          trigger: z.string(),
          dryRun: z.boolean(),
          counts: z.record(z.string(), z.number()),
          startedBy: z.string(),
          startedAt: isoDateOutput,
          finishedAt: nullableIsoDateOutput,
        }),
      ),
    }),
  )
  .query(async ({ ctx, input }) => ({ items: await listRuns(ctx.db, input) }));
