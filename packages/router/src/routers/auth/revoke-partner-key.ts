import { revokePartnerKey } from "@agrinet/domain";
import { z } from "zod";
import { actorOf } from "../../access";
import { procedure } from "../../trpc";
import { partnerKeyOutput, toPartnerKeyOutput } from "./create-partner-key";

export const revokePartnerKeyProcedure = procedure
  .meta({ access: { staff: ["admin"] }, description: "Revoke a partner API key for good (audited)." })
  .input(z.object({ keyId: z.string().min(1) }))
  .output(partnerKeyOutput)
  .mutation(async ({ ctx, input }) =>
    toPartnerKeyOutput(await revokePartnerKey({ db: ctx.db, keyId: input.keyId, actor: actorOf(ctx.principal), ip: ctx.ip })),
  );
