import { getDispute } from "@agrinet/domain";
import { z } from "zod";
import { staffWriters } from "../../access";
import { procedure } from "../../trpc";
import { disputeOutput } from "./dispute-output";

export const getDisputeProcedure = procedure
  .meta({
    access: { staff: staffWriters },
    description: "A dispute with its narrative and escrow balance.",
    openapi: { method: "GET", path: "/api/v1/disputes/{disputeId}", summary: "A dispute", tags: ["disputes"] },
  })
  .input(z.object({ disputeId: z.string().min(1).max(64) }))
  .output(disputeOutput)
  .query(({ ctx, input }) => getDispute({ db: ctx.db, disputeId: input.disputeId }));
