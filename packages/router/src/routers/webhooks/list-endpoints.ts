import { listWebhookEndpoints } from "@agrinet/domain";
import { z } from "zod";
import { everyStaff } from "../../access";
import { procedure } from "../../trpc";
import { partnerKeyIdFor } from "../caller-scope";
import { partnerKeyIdInput, webhookEndpointOutput } from "./webhook-schemas";

export const listEndpointsProcedure = procedure
  .meta({
    access: { staff: everyStaff, partner: ["notifications:read"] },
    description: "A partner key's webhook endpoints (secrets are never shown again).",
  })
  .input(z.object({ partnerKeyId: partnerKeyIdInput }))
  .output(z.array(webhookEndpointOutput))
  .query(({ ctx, input }) =>
    listWebhookEndpoints({ db: ctx.db, partnerKeyId: partnerKeyIdFor(ctx.principal, input.partnerKeyId) }),
  );
