import type { Notification } from "@agrinet/db";

/** Whose notifications: one user, or the shared admins-and-operators audience. */
export type NotificationRecipient =
  | { audience: "user"; recipientId: string }
  | { audience: "staff"; recipientId: "staff" };

export const staffRecipient: NotificationRecipient = { audience: "staff", recipientId: "staff" };

export type NotificationView = {
  /** Increasing, commit-ordered: also the SSE event id. */
  id: string;
  eventId: string;
  type: string;
  aggregateType: string;
  aggregateId: string;
  occurredAt: string;
  data: Record<string, unknown>;
  createdAt: string;
  readAt: string | null;
};

type StoredPayload = {
  aggregateType: string;
  aggregateId: string;
  occurredAt: string;
  data: Record<string, unknown>;
};

export function toNotificationView(row: Notification): NotificationView {
  const payload = row.payload as unknown as StoredPayload;
  return {
    id: row.id.toString(),
    eventId: row.eventId.toString(),
    type: row.type,
    aggregateType: payload.aggregateType,
    aggregateId: payload.aggregateId,
    occurredAt: new Date(payload.occurredAt).toISOString(),
    data: payload.data,
    createdAt: row.createdAt.toISOString(),
    readAt: row.readAt?.toISOString() ?? null,
  };
}
