import { minorUnitsOutput } from "@agrinet/core";
import { getExceptionDetail } from "@agrinet/domain";
import { bigintIdOutput, isoDateOutput } from "@agrinet/schemas";
import { z } from "zod";
import { everyStaff } from "../../access";
import { procedure } from "../../trpc";
import { exceptionIdInput, exceptionWithAgeOutput, withAge } from "./reconciliation-schemas";

const postingOutput = z.object({
  id: bigintIdOutput,
  transactionId: bigintIdOutput,
  /** From the provider's side, as the statement shows it: money out negative. */
  amount: minorUnitsOutput,
  currency: z.string(),
  at: isoDateOutput,
  reference: z.string().nullable(),
  kind: z.string(),
});

export const getExceptionProcedure = procedure
  .meta({
    access: { staff: everyStaff },
    description:
      "One exception with what it takes to work it: its statement line, the postings it is matched to, unmatched clearing postings it could be linked to by hand (same source and currency, within 7 days, the same amount first), the platform accounts an adjustment may post against, and its comments.",
    openapi: { method: "GET", path: "/api/v1/reconciliation/exceptions/{exceptionId}", tags: ["reconciliation"], summary: "Get an exception" },
  })
  .input(z.object({ exceptionId: exceptionIdInput }))
  .output(
    z.object({
      exception: exceptionWithAgeOutput,
      line: z
        .object({
          id: bigintIdOutput,
          statementId: z.string(),
          statementFileName: z.string().nullable(),
          rowNumber: z.number().int(),
          reference: z.string().nullable(),
          batchReference: z.string().nullable(),
          bookedAt: isoDateOutput,
          amount: minorUnitsOutput,
          currency: z.string(),
          description: z.string(),
          counterparty: z.string().nullable(),
          status: z.string(),
        })
        .nullable(),
      matchedPostings: z.array(postingOutput.extend({ rule: z.string() })),
      candidates: z.array(postingOutput),
      adjustmentAccounts: z.array(z.string()),
      comments: z.array(z.object({ id: bigintIdOutput, author: z.string(), body: z.string(), createdAt: isoDateOutput })),
    }),
  )
  .query(async ({ ctx, input }) => {
    const detail = await getExceptionDetail(ctx.db, input.exceptionId);
    return { ...detail, exception: withAge(detail.exception) };
  });
