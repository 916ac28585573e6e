import { DomainError } from "@agrinet/core";
import type { NotificationRecipient } from "@agrinet/domain";
import { staffRecipient } from "@agrinet/domain";
import type { Principal } from "../access";

/**
 * Whose notifications a caller reads: a user their own; a partner the user it acts for (the
 * input's userId); staff the shared staff audience, or one user's when they name one.
 * Used by the tRPC procedures and the SSE route alike.
 */
export function notificationRecipientFor(
  principal: Principal | null,
  userId: string | undefined,
): NotificationRecipient {
  if (!principal) throw new DomainError("UNAUTHORIZED", "missing or invalid credentials");
  switch (principal.kind) {
    case "staff":
      return userId ? { audience: "user", recipientId: userId } : staffRecipient;
    case "partner":
      if (!userId) {
        throw new DomainError("VALIDATION_FAILED", "userId: required when a partner reads notifications", {
          fields: [{ path: "userId", message: "required when a partner reads notifications" }],
        });
      }
      return { audience: "user", recipientId: userId };
    case "user":
      if (userId && userId !== principal.userId) {
        throw new DomainError("FORBIDDEN", "users read only their own notifications");
      }
      return { audience: "user", recipientId: principal.userId };
  }
}

/** The partner key a webhook operation applies to: the caller's own, or one staff name. */
export function partnerKeyIdFor(principal: Principal | null, partnerKeyId: string | undefined): string {
  if (!principal) throw new DomainError("UNAUTHORIZED", "missing or invalid credentials");
  if (principal.kind === "partner") {
    if (partnerKeyId && partnerKeyId !== principal.keyId) {
      throw new DomainError("FORBIDDEN", "a partner manages only its own webhooks");
    }
    return principal.keyId;
  }
  if (principal.kind === "staff" && partnerKeyId) return partnerKeyId;
  if (principal.kind === "staff") {
    throw new DomainError("VALIDATION_FAILED", "partnerKeyId: required for staff", {
      fields: [{ path: "partnerKeyId", message: "required for staff" }],
    });
  }
  throw new DomainError("FORBIDDEN", "not allowed");
}
