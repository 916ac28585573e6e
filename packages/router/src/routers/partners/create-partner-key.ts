import { createPartnerKey } from "@agrinet/domain";
import { z } from "zod";
import { actorOf, partnerScopes } from "../../access";
import { procedure } from "../../trpc";
import { partnerKeyOutput, toPartnerKeyOutput } from "../auth/create-partner-key";
import { partnerIdInput } from "./partner-schemas";

export const createPartnerKeyForPartnerProcedure = procedure
  .meta({
    access: { staff: ["admin"] },
    description: "Issues an API key for a partner; the key is shown only in this response. Revoke it as any key.",
    openapi: { method: "POST", path: "/admin/partners/{partnerId}/keys", summary: "Issue a partner key", tags: ["partners"] },
  })
  .input(
    z.object({
      partnerId: partnerIdInput,
      name: z.string().trim().min(1).max(100),
      scopes: z.array(z.enum(partnerScopes)).min(1, "at least one scope"),
    }),
  )
  .output(partnerKeyOutput.extend({ key: z.string() }))
  .mutation(async ({ ctx, input }) => {
    const created = await createPartnerKey({ db: ctx.db, ...input, actor: actorOf(ctx.principal), ip: ctx.ip });
    return { ...toPartnerKeyOutput(created), key: created.key };
  });
