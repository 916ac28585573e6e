import { redeliverWebhook } from "@agrinet/domain";
import { int8IdInput } from "@agrinet/schemas";
import { z } from "zod";
import { staffWriters } from "../../access";
import { procedure } from "../../trpc";
import { partnerKeyIdFor } from "../caller-scope";
import { partnerKeyIdInput } from "./webhook-schemas";

export const redeliverProcedure = procedure
  .meta({
    access: { staff: staffWriters, partner: ["notifications:read"] },
    description: "Queues a delivery again, e.g. after the receiver was fixed.",
  })
  .input(z.object({ partnerKeyId: partnerKeyIdInput, deliveryId: int8IdInput("expected a delivery id") }))
  .output(z.object({ id: z.string(), status: z.literal("pending") }))
  .mutation(({ ctx, input }) =>
    redeliverWebhook({
      db: ctx.db,
      partnerKeyId: partnerKeyIdFor(ctx.principal, input.partnerKeyId),
      deliveryId: BigInt(input.deliveryId),
    }),
  );
