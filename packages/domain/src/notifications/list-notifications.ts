import { DomainError } from "@agrinet/core";
import type { Db } from "@agrinet/db";
import { toNotificationView, type NotificationRecipient, type NotificationView } from "./notification-view";

export type ListNotificationsOptions = {
  db: Db;
  recipient: NotificationRecipient;
  /** Only unread ones. */
  unread?: boolean;
  /** Only this event type, e.g. "payout.failed". */
  type?: string;
  /** The `nextCursor` of the previous page. */
  cursor?: string;
  limit?: number;
};

function parseId(value: string, field: string): bigint {
  if (!/^\d{1,19}$/.test(value)) {
    throw new DomainError("VALIDATION_FAILED", `${field}: expected a notification id`, {
      fields: [{ path: field, message: "expected a notification id" }],
    });
  }
  return BigInt(value);
}

/** Newest first; `nextCursor` continues below the last one returned. */
export async function listNotifications(
  options: ListNotificationsOptions,
): Promise<{ items: NotificationView[]; nextCursor: string | null; unreadCount: number }> {
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 200);
  const { audience, recipientId } = options.recipient;
  const before = options.cursor ? parseId(options.cursor, "cursor") : undefined;
  const [rows, unreadCount] = await Promise.all([
    options.db.notification.findMany({
      where: {
        audience,
        recipientId,
        ...(options.unread ? { readAt: null } : {}),
        ...(options.type ? { type: options.type } : {}),
        ...(before !== undefined ? { id: { lt: before } } : {}),
      },
      orderBy: { id: "desc" },
      take: limit + 1,
    }),
    options.db.notification.count({ where: { audience, recipientId, readAt: null } }),
  ]);
  const page = rows.slice(0, limit);
  return {
    items: page.map(toNotificationView),
    nextCursor: rows.length > limit ? page[page.length - 1]!.id.toString() : null,
    unreadCount,
  };
}

/** Oldest first, strictly after `afterId`: what a reconnecting stream missed. */
export async function listNotificationsAfter(options: {
  db: Db;
  recipient: NotificationRecipient;
  afterId: bigint;
  limit?: number;
}): Promise<NotificationView[]> {
  const rows = await options.db.notification.findMany({
    where: {
      audience: options.recipient.audience,
      recipientId: options.recipient.recipientId,
      id: { gt: options.afterId },
    },
    orderBy: { id: "asc" },
    take: options.limit ?? 500,
  });
  return rows.map(toNotificationView);
}

export { parseId as parseNotificationId };
