import { getSettlementSummary, type SettlementSummary } from "@agrinet/domain";
import { everyStaff } from "../../access";
import { procedure } from "../../trpc";
import { groupByInput, periodInput, settlementSummaryOutput } from "./settlement-schemas";

export const getSummaryProcedure = procedure
  .meta({
    access: { staff: everyStaff },
    description:
      "Settlement totals for [from, to) per currency (optionally per producer and per UTC day): deposits confirmed, payouts paid and failed, escrow funded, released and refunded, closing balances. Also GET /admin/settlements.csv.",
    openapi: { method: "GET", path: "/admin/settlements", tags: ["settlements"], summary: "Settlement summary" },
  })
  .input(periodInput.extend({ groupBy: groupByInput.optional() }))
  .output(settlementSummaryOutput)
  .query(
    ({ ctx, input }): Promise<SettlementSummary> =>
      getSettlementSummary({
        db: ctx.db,
        from: input.from,
        to: input.to,
        groupBy: input.groupBy,
        currency: input.currency,
      }),
  );
