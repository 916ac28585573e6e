import { staleReadDb } from "../../context";
import { minorUnitsOutput } from "@agrinet/core";
import { listLedgerAccounts } from "@agrinet/domain";
import { z } from "zod";
import { everyStaff } from "../../access";
import { procedure } from "../../trpc";

const ownerTypes = ["user", "contract", "platform", "external", "payouts", "suspense"] as const;

export const listLedgerAccountsOutput = z.object({
  items: z.array(
    z.object({
      ownerType: z.enum(ownerTypes),
      ownerId: z.string(),
      accounts: z.array(
        z.object({
          account: z.string(),
          purpose: z.string(),
          currency: z.string(),
          allowNegative: z.boolean(),
          posted: minorUnitsOutput,
          held: minorUnitsOutput,
          available: minorUnitsOutput,
        }),
      ),
    }),
  ),
  nextCursor: z.string().nullable(),
});

export const listAccountsProcedure = procedure
  .meta({
    access: { staff: everyStaff },
    description:
      "Ledger accounts grouped by owner (users, contracts, platform, rails) with balances; search matches part of an account code.",
  })
  .input(
    z.object({
      search: z.string().max(120).optional(),
      ownerType: z.enum(ownerTypes).optional(),
      cursor: z.string().max(200).optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
  )
  .output(listLedgerAccountsOutput)
  .query(({ ctx, input }) => listLedgerAccounts(staleReadDb(ctx), input));
