import { z } from "zod";

export const webhookEndpointOutput = z.object({
  id: z.string(),
  partnerKeyId: z.string(),
  url: z.string(),
  eventTypes: z.array(z.string()),
  active: z.boolean(),
  createdAt: z.string(),
}).meta({ id: "WebhookEndpoint" });

/** Staff name the partner key; a partner's own key comes from its credentials. */
export const partnerKeyIdInput = z.string().min(1).optional();
