import { DomainError } from "@agrinet/core";
import type { Db } from "@agrinet/db";
import { parseNotificationId } from "./list-notifications";
import type { NotificationRecipient } from "./notification-view";

/**
 * Marks the recipient's notifications read: the given ids, or all up to `upToId`. Someone
 * else's ids are reported as not found rather than touched. Repeating it changes nothing.
 */
export async function markNotificationsRead(options: {
  db: Db;
  recipient: NotificationRecipient;
  ids?: string[];
  upToId?: string;
  now?: Date;
}): Promise<{ updated: number }> {
  const { audience, recipientId } = options.recipient;
  const readAt = options.now ?? new Date();
  if (options.upToId !== undefined) {
    const upTo = parseNotificationId(options.upToId, "upToId");
    const result = await options.db.notification.updateMany({
      where: { audience, recipientId, readAt: null, id: { lte: upTo } },
      data: { readAt },
    });
    return { updated: result.count };
  }
  const ids = (options.ids ?? []).map((id, i) => parseNotificationId(id, `ids.${i}`));
  if (ids.length === 0) {
    throw new DomainError("VALIDATION_FAILED", "ids: give at least one id, or upToId", {
      fields: [{ path: "ids", message: "give at least one id, or upToId" }],
    });
  }
  const owned = await options.db.notification.findMany({
    where: { audience, recipientId, id: { in: ids } },
    select: { id: true },
  });
  if (owned.length !== new Set(ids).size) {
    const found = new Set(owned.map((row) => row.id));
    throw new DomainError("NOT_FOUND", "notification not found", {
      details: { missing: ids.filter((id) => !found.has(id)).map(String) },
    });
  }
  const result = await options.db.notification.updateMany({
    where: { audience, recipientId, readAt: null, id: { in: ids } },
    data: { readAt },
  });
  return { updated: result.count };
}
