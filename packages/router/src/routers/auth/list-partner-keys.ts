import { listPartnerKeys } from "@agrinet/domain";
import { z } from "zod";
import { procedure } from "../../trpc";
import { partnerIdFilterInput } from "../../tenancy";
import { partnerKeyOutput, toPartnerKeyOutput } from "./create-partner-key";

export const listPartnerKeysProcedure = procedure
  .meta({ access: { staff: ["admin"] }, description: "Partner API keys with scopes and last use (never the key itself)." })
  .input(
    z
      .object({ includeRevoked: z.boolean().default(false), partnerId: partnerIdFilterInput.optional() })
      .default({ includeRevoked: false }),
  )
  .output(z.array(partnerKeyOutput))
  .query(async ({ ctx, input }) =>
    (await listPartnerKeys({ db: ctx.db, includeRevoked: input.includeRevoked, partnerId: input.partnerId })).map(toPartnerKeyOutput),
  );
