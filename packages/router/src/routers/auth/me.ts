import { z } from "zod";
import { partnerScopes, staffRoles } from "../../access";
import { procedure } from "../../trpc";

export const principalOutput = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("staff"), userId: z.string(), email: z.string(), role: z.enum(staffRoles) }),
  z.object({
    kind: z.literal("partner"),
    keyId: z.string(),
    name: z.string(),
    scopes: z.array(z.enum(partnerScopes)),
    partnerId: z.string(),
  }),
  z.object({ kind: z.literal("user"), userId: z.string(), partnerId: z.string() }),
]);

export const meProcedure = procedure
  .meta({ access: { authenticated: true }, description: "The caller: staff member, partner key or end user." })
  .input(z.void())
  .output(principalOutput)
  .query(({ ctx }) => ctx.principal!);
