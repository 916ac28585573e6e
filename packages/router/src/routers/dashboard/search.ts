import { searchDashboard } from "@agrinet/domain";
import { z } from "zod";
import { everyStaff } from "../../access";
import { procedure } from "../../trpc";

const searchHit = z.object({
  kind: z.enum(["deposit", "payout", "contract", "ledger_transaction", "user"]),
  id: z.string(),
  matched: z.string(),
  amount: z.string().nullable(),
  currency: z.string().nullable(),
  status: z.string().nullable(),
  userId: z.string().nullable(),
  createdAt: z.date().nullable().transform((date) => date?.toISOString() ?? null),
});

export const searchProcedure = procedure
  .meta({
    access: { staff: everyStaff },
    description: "The dashboard's search box: an exact deposit, payout, contract or ledger transaction id, a reference, an M-Pesa receipt, a phone or account number, an exact amount as shown (\"1,800\", \"KES 1800.00\"; newest 20 of each kind) or a user id.",
  })
  .input(z.object({ query: z.string().max(200) }))
  .output(z.object({ hits: z.array(searchHit) }))
  .query(async ({ ctx, input }) => ({ hits: await searchDashboard({ db: ctx.db, query: input.query }) }));
