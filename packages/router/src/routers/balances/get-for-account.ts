import { getAccountBalance } from "@agrinet/domain";
import { z } from "zod";
import { everyStaff } from "../../access";
import { procedure } from "../../trpc";
import { accountBalanceOutput } from "./balance-output";

export const getBalanceForAccountProcedure = procedure
  .meta({
    access: { staff: everyStaff, partner: ["transactions:read"] },
    description: "One ledger account's balance by code, e.g. contract:contract_45ab:escrow:KES.",
  })
  .input(z.object({ account: z.string().min(1).max(200) }))
  .output(accountBalanceOutput)
  .query(({ ctx, input }) => getAccountBalance(ctx.db, { account: input.account }));
