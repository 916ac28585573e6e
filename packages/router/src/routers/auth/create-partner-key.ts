import { createPartnerKey, type PartnerKeySummary } from "@agrinet/domain";
import { z } from "zod";
import { actorOf, partnerScopes } from "../../access";
import { procedure } from "../../trpc";
import { partnerIdFilterInput } from "../../tenancy";

export const partnerKeyOutput = z.object({
  id: z.string(),
  name: z.string(),
  start: z.string().nullable(),
  scopes: z.array(z.string()),
  enabled: z.boolean(),
  lastUsedAt: z.string().nullable(),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
  createdBy: z.string(),
  /** The partner the key acts for. */
  partnerId: z.string(),
});

export function toPartnerKeyOutput(key: PartnerKeySummary): z.infer<typeof partnerKeyOutput> {
  return {
    id: key.id,
    name: key.name,
    start: key.start,
    scopes: key.scopes,
    enabled: key.enabled,
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    createdAt: key.createdAt.toISOString(),
    revokedAt: key.revokedAt?.toISOString() ?? null,
    createdBy: key.createdBy,
    partnerId: key.partnerId,
  };
}

export const createPartnerKeyInput = z.object({
  name: z.string().trim().min(1).max(100),
  scopes: z.array(z.enum(partnerScopes)).min(1, "at least one scope"),
  /** The partner the key acts for; omitted, the default partner. */
  partnerId: partnerIdFilterInput.optional(),
});

export const createPartnerKeyProcedure = procedure
  .meta({ access: { staff: ["admin"] }, description: "Create a partner API key; the key is shown only in this response." })
  .input(createPartnerKeyInput)
  .output(partnerKeyOutput.extend({ key: z.string() }))
  .mutation(async ({ ctx, input }) => {
    const created = await createPartnerKey({ db: ctx.db, ...input, actor: actorOf(ctx.principal), ip: ctx.ip });
    return { ...toPartnerKeyOutput(created), key: created.key };
  });
