import { listWebhookDeliveries } from "@agrinet/domain";
import { int8IdInput } from "@agrinet/schemas";
import { z } from "zod";
import { everyStaff } from "../../access";
import { procedure } from "../../trpc";
import { partnerKeyIdFor } from "../caller-scope";
import { partnerKeyIdInput } from "./webhook-schemas";

export const listDeliveriesProcedure = procedure
  .meta({
    access: { staff: everyStaff, partner: ["notifications:read"] },
    description: "The delivery log, newest first, with every attempt.",
  })
  .input(
    z.object({
      partnerKeyId: partnerKeyIdInput,
      endpointId: z.uuid().optional(),
      cursor: int8IdInput().optional(),
      limit: z.number().int().min(1).max(200).optional(),
    }),
  )
  .output(
    z.object({
      items: z.array(
        z.object({
          id: z.string(),
          endpointId: z.string(),
          eventId: z.string(),
          eventType: z.string(),
          status: z.enum(["pending", "succeeded", "failed"]),
          attempts: z.number(),
          lastStatusCode: z.number().nullable(),
          lastError: z.string().nullable(),
          createdAt: z.string(),
          completedAt: z.string().nullable(),
          log: z.array(
            z.object({
              statusCode: z.number().nullable(),
              error: z.string().nullable(),
              durationMs: z.number(),
              at: z.string(),
            }),
          ),
        }),
      ),
      nextCursor: z.string().nullable(),
    }),
  )
  .query(({ ctx, input }) =>
    listWebhookDeliveries({
      db: ctx.db,
      partnerKeyId: partnerKeyIdFor(ctx.principal, input.partnerKeyId),
      endpointId: input.endpointId,
      cursor: input.cursor,
      limit: input.limit,
    }),
  );
