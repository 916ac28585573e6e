import { subscribePartnerToUser } from "@agrinet/domain";
import { z } from "zod";
import { staffWriters } from "../../access";
import { procedure } from "../../trpc";
import { partnerKeyIdFor } from "../caller-scope";
import { partnerKeyIdInput } from "./webhook-schemas";

export const subscribeUserProcedure = procedure
  .meta({
    // A partner follows a user it acts for; the access rule checks the user link ("self").
    access: { staff: staffWriters, partner: ["notifications:read"] },
    description: "Sends a user's events to the partner's webhook endpoints. Idempotent.",
  })
  .input(z.object({ partnerKeyId: partnerKeyIdInput, userId: z.string().min(1) }))
  .output(z.object({ partnerKeyId: z.string(), userId: z.string() }))
  .mutation(async ({ ctx, input }) => {
    const partnerKeyId = partnerKeyIdFor(ctx.principal, input.partnerKeyId);
    await subscribePartnerToUser({ db: ctx.db, partnerKeyId, userId: input.userId });
    return { partnerKeyId, userId: input.userId };
  });
