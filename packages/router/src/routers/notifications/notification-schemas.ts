import { int8IdInput } from "@agrinet/schemas";
import { z } from "zod";

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

