import { minorUnitsOutput } from "@agrinet/core";
import { getBalanceAt } from "@agrinet/domain";
import { isoDateOutput } from "@agrinet/schemas";
import { z } from "zod";
import { everyStaff } from "../../access";
import { procedure } from "../../trpc";

export const getBalanceAtProcedure = procedure
  .meta({
    access: { staff: everyStaff },
    description: "A ledger account's posted balance as of an instant (its last posting at or before `at`).",
  })
  .input(z.object({ account: z.string().min(1).max(200), at: z.coerce.date() }))
  .output(z.object({ account: z.string(), currency: z.string(), at: isoDateOutput, posted: minorUnitsOutput }))
  .query(({ ctx, input }) => getBalanceAt(ctx.db, input));
