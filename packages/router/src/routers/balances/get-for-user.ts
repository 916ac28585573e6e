import { getUserBalances } from "@agrinet/domain";
import { z } from "zod";
import { everyStaff } from "../../access";
import { procedure } from "../../trpc";
import { accountBalanceOutput } from "./balance-output";

export const getBalancesForUserProcedure = procedure
  .meta({
    access: { staff: everyStaff, partner: ["transactions:read"], user: "self" },
    description: "A user's balances (posted, held, available), one per wallet currency.",
  })
  .input(z.object({ userId: z.string().min(1).max(120) }))
  .output(z.object({ userId: z.string(), balances: z.array(accountBalanceOutput) }))
  .query(async ({ ctx, input }) => ({
    userId: input.userId,
    balances: await getUserBalances(ctx.db, { userId: input.userId }),
  }));
