import { minorUnitsOutput } from "@agrinet/core";
import { getBalanceComparisonHistory } from "@agrinet/domain";
import { isoDateOutput } from "@agrinet/schemas";
import { z } from "zod";
import { everyStaff } from "../../access";
import { procedure } from "../../trpc";
import { dailyReportInput } from "./get-daily-report";

export const listBalanceComparisonsProcedure = procedure
  .meta({
    access: { staff: everyStaff },
    description:
      "Every recorded version of a rail's daily closing comparison (statement closing balance against the clearing account's balance at the statements' period end) for the days from..to (East Africa Time), by day, currency and version: a figure that came out differently later is a new version, never an edit.",
    openapi: {
      method: "GET",
      path: "/api/v1/reconciliation/balance-comparisons",
      tags: ["reconciliation"],
      summary: "History of the daily closing comparisons",
    },
  })
  .input(dailyReportInput)
  .output(
    z.object({
      items: z.array(
        z.object({
          source: z.string(),
          currency: z.string(),
          day: z.string(),
          version: z.number().int(),
          comparedAt: isoDateOutput,
          statementOpening: minorUnitsOutput.nullable(),
          statementClosing: minorUnitsOutput.nullable(),
          ledgerClosing: minorUnitsOutput,
          difference: minorUnitsOutput.nullable(),
          trigger: z.string(),
          statementId: z.string().nullable(),
          runId: z.string(),
          recordedAt: isoDateOutput,
        }),
      ),
    }),
  )
  .query(async ({ ctx, input }) => ({
    items: await getBalanceComparisonHistory({ db: ctx.db, source: input.source, fromDay: input.from, toDay: input.to }),
  }));
