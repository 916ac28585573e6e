import { z } from "zod";

export const notificationId = z.string().regex(/^\d{1,19}$/, "expected a notification id");

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

