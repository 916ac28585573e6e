import { staleReadDb } from "../../context";
import { minorUnitsOutput } from "@agrinet/core";
import { listAccountHistory } from "@agrinet/domain";
import { bigintIdOutput, isoDateOutput } from "@agrinet/schemas";
import { z } from "zod";
import { everyStaff } from "../../access";
import { procedure } from "../../trpc";

export const listAccountHistoryOutput = z.object({
  account: z.string(),
  currency: z.string(),
  items: z.array(
    z.object({
      postingId: bigintIdOutput,
      transactionId: bigintIdOutput,
      kind: z.string(),
      amount: minorUnitsOutput,
      balanceAfter: minorUnitsOutput,
      accountVersion: bigintIdOutput,
      createdAt: isoDateOutput,
    }),
  ),
  nextCursor: z.string().nullable(),
});

export const listAccountHistoryProcedure = procedure
  .meta({
    access: { staff: everyStaff },
    description:
      "One ledger account's balance history, newest first: each posting with the balance it left. Keyset pagination: pass nextCursor as cursor.",
  })
  .input(
    z.object({
      account: z.string().min(1).max(200),
      cursor: z.string().max(40).optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
  )
  .output(listAccountHistoryOutput)
  .query(({ ctx, input }) => listAccountHistory(staleReadDb(ctx), input));
