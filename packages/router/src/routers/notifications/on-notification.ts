import { DomainError } from "@agrinet/core";
import { tracked } from "@trpc/server";
import { z } from "zod";
import { everyStaff } from "../../access";
import { procedure } from "../../trpc";
import { notificationRecipientFor } from "../caller-scope";
import { notificationId } from "./notification-schemas";

export const onNotificationInput = z.object({
  userId: z.string().min(1).optional(),
  /** Filled in by httpSubscriptionLink on reconnect: replays what was missed. */
  lastEventId: notificationId.nullish(),
});

/** Live notifications over tRPC's SSE transport, sharing the process's hub with /notifications/stream. */
export const onNotificationProcedure = procedure
  .meta({
    access: { staff: everyStaff, partner: ["notifications:read"], user: "self" },
    description: "Live notifications (SSE); event ids allow resuming.",
  })
  .input(onNotificationInput)
  .subscription(async function* ({ ctx, input, signal }) {
    const hub = ctx.notificationHub;
    if (!hub) throw new DomainError("SERVICE_UNAVAILABLE", "live notifications are not available here");
    const recipient = notificationRecipientFor(ctx.principal, input.userId);
    for await (const notification of hub.subscribe(recipient, {
      lastEventId: input.lastEventId ? BigInt(input.lastEventId) : undefined,
      signal,
    })) {
      yield tracked(notification.id, notification);
    }
  });
