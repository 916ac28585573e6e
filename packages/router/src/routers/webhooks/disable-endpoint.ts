import { disableWebhookEndpoint } from "@agrinet/domain";
import { z } from "zod";
import { staffWriters } from "../../access";
import { procedure } from "../../trpc";
import { partnerKeyIdFor } from "../caller-scope";
import { partnerKeyIdInput, webhookEndpointOutput } from "./webhook-schemas";

export const disableEndpointProcedure = procedure
  .meta({
    access: { staff: staffWriters, partner: ["notifications:read"] },
    description: "Stops deliveries to an endpoint; its log stays.",
  })
  .input(z.object({ partnerKeyId: partnerKeyIdInput, endpointId: z.uuid() }))
  .output(webhookEndpointOutput)
  .mutation(({ ctx, input }) =>
    disableWebhookEndpoint({
      db: ctx.db,
      partnerKeyId: partnerKeyIdFor(ctx.principal, input.partnerKeyId),
      endpointId: input.endpointId,
    }),
  );
