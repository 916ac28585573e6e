import { getOverview } from "@agrinet/domain";
import { z } from "zod";
import { everyStaff } from "../../access";
import { procedure } from "../../trpc";

const amount = z.string().regex(/^-?\d+$/);
const buckets = z.object({ wallets: amount, escrow: amount, platform: amount, inFlight: amount, clearing: amount });
const countAndAmount = z.object({ currency: z.string(), count: z.number().int(), amount });
const periodFigures = z.object({
  depositsConfirmed: amount,
  depositsConfirmedCount: z.number().int(),
  payoutsPaid: amount,
  payoutsPaidCount: z.number().int(),
  payoutsFailedCount: z.number().int(),
});

export const overviewOutput = z.object({
  balances: z.array(z.object({ currency: z.string(), posted: buckets, held: buckets, accounts: z.number().int() })),
  pendingDeposits: z.array(countAndAmount),
  payouts: z.object({
    queued: z.array(countAndAmount),
    processing: z.array(countAndAmount),
    failed: z.array(countAndAmount),
  }),
  volume: z.object({
    from: z.string(),
    to: z.string(),
    days: z.array(
      z.object({ day: z.string(), currency: z.string(), depositsConfirmed: amount, payoutsPaid: amount }),
    ),
  }),
  comparison: z.object({
    current: z.object({ from: z.string(), to: z.string() }),
    previous: z.object({ from: z.string(), to: z.string() }),
    currencies: z.array(z.object({ currency: z.string(), current: periodFigures, previous: periodFigures })),
  }),
  generatedAt: z.string(),
});

export const getOverviewProcedure = procedure
  .meta({
    access: { staff: everyStaff },
    description:
      "The dashboard overview: ledger balances per currency (wallets, escrow, platform, payouts in flight, external clearing), pending deposits, open and failed payouts, 30 days of confirmed-deposit and paid-payout volume, and those 30 days against the 30 before (volume in and out, paid and failed payout counts). Amounts are minor-unit strings.",
  })
  .input(z.void())
  .output(overviewOutput)
  .query(({ ctx }) => getOverview({ db: ctx.db }));
