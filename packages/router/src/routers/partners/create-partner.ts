import { createPartner } from "@agrinet/domain";
import { z } from "zod";
import { actorOf } from "../../access";
import { procedure } from "../../trpc";
import { partnerOutput } from "./partner-schemas";

export const createPartnerProcedure = procedure
  .meta({
    access: { staff: ["admin"] },
    description: "Creates a partner: the tenant whose keys see and move only its own users' money.",
    openapi: { method: "POST", path: "/admin/partners", summary: "Create a partner", tags: ["partners"] },
  })
  .input(z.object({ name: z.string().trim().min(1).max(100) }))
  .output(partnerOutput)
  .mutation(({ ctx, input }) =>
    createPartner({
      db: ctx.db,
      name: input.name,
      actor: actorOf(ctx.principal),
      ip: ctx.ip,
      defaultDailyPayoutCaps: ctx.payouts?.dailyPayoutCaps,
    }),);
