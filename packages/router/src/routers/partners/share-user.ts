import { shareUserWithPartner } from "@agrinet/domain";
import { z } from "zod";
import { actorOf } from "../../access";
import { procedure } from "../../trpc";
import { partnerIdInput } from "./partner-schemas";

export const shareUserProcedure = procedure
  .meta({
    access: { staff: ["admin"] },
    description:
      "Lets a second partner reach a user (wallet, transactions, notifications) whose home partner is another: the only way a user is shared, recorded in the audit log.",
    openapi: { method: "POST", path: "/admin/partners/{partnerId}/users/{userId}/share", summary: "Share a user with a partner", tags: ["partners"] },
  })
  .input(z.object({ partnerId: partnerIdInput, userId: z.string().min(1).max(120) }))
  .output(z.object({ partnerId: z.string(), userId: z.string(), shared: z.boolean() }))
  .mutation(({ ctx, input }) => shareUserWithPartner({ db: ctx.db, ...input, actor: actorOf(ctx.principal), ip: ctx.ip }));
