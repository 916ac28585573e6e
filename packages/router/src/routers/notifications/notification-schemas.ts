import { z } from "zod";
import { int8IdInput } from "@agrinet/schemas";

export const notificationId = int8IdInput("expected a notification id");

export const notificationOutput = z.object({
  id: z.string(),
  eventId: z.string(),
  type: z.string(),
  aggregateType: z.string(),
  aggregateId: z.string(),
  occurredAt: z.string(),
  data: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  readAt: z.string().nullable(),
}).meta({ id: "Notification" });

export const markReadInput = z
  .object({
    userId: z.string().min(1).optional(),
    ids: z.array(notificationId).max(500).optional(),
    /** Marks everything up to and including this id. */
    upToId: notificationId.optional(),
  })
  .refine((input) => input.upToId !== undefined || (input.ids?.length ?? 0) > 0, {
    message: "give ids or upToId",
    path: ["ids"],
  });
