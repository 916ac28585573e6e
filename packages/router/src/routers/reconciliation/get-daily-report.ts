import { minorUnitsOutput } from "@agrinet/core";
import { nullableIsoDateOutput } from "@agrinet/schemas";
import { getDailyReconciliationReport } from "@agrinet/domain";
import { z } from "zod";
import { everyStaff } from "../../access";
import { procedure } from "../../trpc";
import { sourceInput } from "./reconciliation-schemas";

export const dailyReportInput = z
  .object({
    source: sourceInput,
    from: z.iso.date(),
    to: z.iso.date(),
  })
  .refine((input) => input.from <= input.to, { message: "from must not be after to", path: ["to"] })
  .refine((input) => Date.parse(input.to) - Date.parse(input.from) <= 366 * 86_400_000, { message: "at most a year", path: ["to"] });

export const dailyReportOutput = z.object({
  items: z.array(
    z.object({
      source: z.string(),
      day: z.string(),
      currency: z.string(),
      opening: minorUnitsOutput.nullable(),
      moneyIn: minorUnitsOutput,
      moneyOut: minorUnitsOutput,
      closing: minorUnitsOutput.nullable(),
      lines: z.number().int(),
      matchedLines: z.number().int(),
      matchedPercent: z.number(),
      ledgerNet: minorUnitsOutput,
      unexplainedDifference: minorUnitsOutput,
      ledgerClosing: minorUnitsOutput,
      closingDifference: minorUnitsOutput.nullable(),
      comparisonVersion: z.number().int().nullable(),
      comparisonRecordedAt: nullableIsoDateOutput,
    }),
  ),
});

export const getDailyReportProcedure = procedure
  .meta({
    access: { staff: everyStaff },
    description:
      "Per day (East Africa Time) and currency of a rail: the statement's opening, in, out and closing, matched %, the ledger's net movement on the clearing account and the difference neither explains, and the clearing account's balance at the day's end against the statement's closing balance, as recorded when statements were committed or by the scheduled run (its latest version; history: GET /api/v1/reconciliation/balance-comparisons). CSV: GET /api/v1/reconciliation/report.csv.",
    openapi: { method: "GET", path: "/api/v1/reconciliation/report", tags: ["reconciliation"], summary: "Daily reconciliation report" },
  })
  .input(dailyReportInput)
  .output(dailyReportOutput)
  .query(async ({ ctx, input }) => ({
    items: await getDailyReconciliationReport({
      db: ctx.db,
      source: input.source,
      from: new Date(`${input.from}T00:00:00+03:00`),
      to: new Date(Date.parse(`${input.to}T00:00:00+03:00`) + 86_400_000),
    }),
  }));
