import { registerWebhookEndpoint } from "@agrinet/domain";
import { z } from "zod";
import { staffWriters } from "../../access";
import { procedure } from "../../trpc";
import { partnerKeyIdFor } from "../caller-scope";
import { partnerKeyIdInput, webhookEndpointOutput } from "./webhook-schemas";

export const registerEndpointProcedure = procedure
  .meta({
    access: { staff: staffWriters, partner: ["notifications:read"] },
    description:
      "Registers a webhook receiver for a partner key. The signing secret is in this answer only.",
  })
  .input(
    z.object({
      partnerKeyId: partnerKeyIdInput,
      url: z.url({ protocol: /^https?$/, error: "expected an http(s) URL" }),
      eventTypes: z.array(z.string().min(1)).max(50).default([]),
    }),
  )
  .output(z.object({ endpoint: webhookEndpointOutput, secret: z.string() }))
  .mutation(({ ctx, input }) =>
    registerWebhookEndpoint({
      db: ctx.db,
      partnerKeyId: partnerKeyIdFor(ctx.principal, input.partnerKeyId),
      url: input.url,
      eventTypes: input.eventTypes,
      allowPrivateAddresses: ctx.webhooksAllowPrivateAddresses ?? false,
    }),
  );
