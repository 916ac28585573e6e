import type { NotificationItem } from "./use-notification-stream";

export const notificationTitles: Record<string, string> = {
  "payout.queued": "Payout queued",
  "payout.processing": "Payout processing",
  "payout.paid": "Payout paid",
  "payout.failed": "Payout failed",
  "payout.cancelled": "Payout cancelled",
  "payout.reconciliation_needed": "Payout needs reconciliation",
  "deposit.created": "Deposit received",
  "deposit.confirmed": "Deposit confirmed",
  "deposit.failed": "Deposit failed",
  "mpesa.unmatched": "Unmatched M-Pesa payment",
};

/** "payout.paid" → "Payout paid"; unknown types read as words rather than codes. */
export function notificationTitle(type: string): string {
  if (notificationTitles[type]) return notificationTitles[type];
  const [area = "", action = ""] = type.split(".");
  const words = `${area} ${action.replace(/_/g, " ")}`.trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The amount a notification is about, when its data carries one (minor units as a string). */
export function notificationAmount(notification: NotificationItem): { amount: string; currency: string } | null {
  const { amount, currency } = notification.data;
  const minor = typeof amount === "string" || typeof amount === "number" || typeof amount === "bigint" ? String(amount) : null;
  return minor && typeof currency === "string" ? { amount: minor, currency } : null;
}

/** Where the subject of a notification lives in the dashboard. */
export function notificationHref(notification: NotificationItem): string | null {
  if (notification.aggregateType === "payout") return `/payouts/${notification.aggregateId}`;
  if (notification.aggregateType === "mpesa_payment") return "/mpesa/unmatched";
  return null;
}
