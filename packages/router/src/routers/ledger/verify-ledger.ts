import { verifyLedger } from "@agrinet/domain";
import { z } from "zod";
import { procedure } from "../../trpc";

export const verifyLedgerOutput = z.object({
  ok: z.boolean(),
  checkedAt: z.date().transform((d) => d.toISOString()),
  totals: z.object({
    accounts: z.number(),
    transactions: z.number(),
    postings: z.number(),
    pendingHolds: z.number(),
  }),
  checks: z.array(
    z.object({ name: z.string(), description: z.string(), violations: z.number(), examples: z.array(z.string()) }),
  ),
});

export const verifyProcedure = procedure
  .meta({
    access: { staff: ["admin"] },
    description: "Checks the whole ledger's invariants (what `pnpm ledger:verify` prints).",
  })
  .input(z.void())
  .output(verifyLedgerOutput)
  .query(({ ctx }) => verifyLedger(ctx.db));
