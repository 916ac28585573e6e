import { listContractRatings } from "@agrinet/domain";
import { isoDateOutput } from "@agrinet/schemas";
import { z } from "zod";
import { everyStaff } from "../../access";
import { procedure } from "../../trpc";

export const listForContractProcedure = procedure
  .meta({
    access: { staff: everyStaff },
    description: "A contract's LBTAS ratings (one per role at most), without narratives, with their contest counts.",
  })
  .input(z.object({ contractId: z.string().min(1).max(64) }))
  .output(
    z.array(
      z.object({
        id: z.string(),
        raterRole: z.enum(["consumer", "producer"]),
        raterId: z.string(),
        rateeId: z.string(),
        value: z.number().int(),
        isDefault: z.boolean(),
        contests: z.number().int(),
        createdAt: isoDateOutput,
      }),
    ),
  )
  .query(({ ctx, input }) => listContractRatings({ db: ctx.db, contractId: input.contractId }));
