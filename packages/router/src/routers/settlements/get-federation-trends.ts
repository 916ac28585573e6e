import { getSettlementSummary } from "@agrinet/domain";
import { z } from "zod";
import { everyStaff } from "../../access";
import { procedure } from "../../trpc";
import { periodInput, settlementRowOutput } from "./settlement-schemas";

/** Per currency and day only: nothing that names or singles out a person. */
export const getFederationTrendsProcedure = procedure
  .meta({
    access: { staff: everyStaff, partner: ["settlements:read"] },
    description:
      "Aggregated daily settlement trends for federated partner nodes; no personal data.",
    openapi: { method: "GET", path: "/federation/trends/settlements", tags: ["settlements"], summary: "Federation settlement trends" },
  })
  .input(periodInput)
  .output(
    z.object({
      from: z.string(),
      to: z.string(),
      days: z.array(settlementRowOutput.omit({ producerId: true })),
    }),
  )
  .query(async ({ ctx, input }) => {
    const summary = await getSettlementSummary({
      db: ctx.db,
      from: input.from,
      to: input.to,
      groupBy: ["day"],
      currency: input.currency,
    });
    return { from: summary.from, to: summary.to, days: summary.rows };
  });
