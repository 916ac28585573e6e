import { listNotifications as listNotificationsForRecipient } from "@agrinet/domain";
import { z } from "zod";
import { everyStaff } from "../../access";
import { procedure } from "../../trpc";
import { notificationRecipientFor } from "../caller-scope";
import { notificationId, notificationOutput } from "./notification-schemas";

export const listNotificationsInput = z.object({
  /** The user a partner (or staff member) reads for; users may omit it. */
  userId: z.string().min(1).optional(),
  /** "true" or "false": the same spelling over tRPC and in a REST query string. */
  unread: z.string().regex(/^(true|false)$/, 'expected "true" or "false"').optional(),
  /** Only this event type, e.g. "payout.failed". */
  type: z.string().regex(/^[a-z_]+\.[a-z_]+$/, 'expected an event type such as "payout.failed"').optional(),
  cursor: notificationId.optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});

export const listNotificationsOutput = z.object({
  items: z.array(notificationOutput),
  nextCursor: z.string().nullable(),
  unreadCount: z.number(),
});

export const listProcedure = procedure
  .meta({
    access: { staff: everyStaff, partner: ["notifications:read"], user: "self" },
    description: "Own notifications, newest first; staff see the staff audience.",
    openapi: { method: "GET", path: "/notifications", tags: ["notifications"], summary: "List notifications" },
  })
  .input(listNotificationsInput)
  .output(listNotificationsOutput)
  .query(({ ctx, input }) =>
    listNotificationsForRecipient({
      db: ctx.db,
      recipient: notificationRecipientFor(ctx.principal, input.userId),
      unread: input.unread === undefined ? undefined : input.unread === "true",
      type: input.type,
      cursor: input.cursor,
      limit: input.limit,
    }),
  );
