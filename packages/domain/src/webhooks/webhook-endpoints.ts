import { randomBytes } from "node:crypto";
import { DomainError } from "@agrinet/core";
import type { Db } from "@agrinet/db";
import { resolvesToPublicAddresses } from "./webhook-address";

export type WebhookEndpointView = {
  id: string;
  partnerKeyId: string;
  url: string;
  eventTypes: string[];
  active: boolean;
  createdAt: string;
};

const eventTypePattern = /^[a-z_]+(\.[a-z_]+)*(\.\*)?$/;

function toView(row: {
  id: string;
  partnerKeyId: string;
  url: string;
  eventTypes: string[];
  active: boolean;
  createdAt: Date;
}): WebhookEndpointView {
  return {
    id: row.id,
    partnerKeyId: row.partnerKeyId,
    url: row.url,
    eventTypes: row.eventTypes,
    active: row.active,
    createdAt: row.createdAt.toISOString(),
  };
}

async function validateUrl(url: string, allowPrivateAddresses: boolean): Promise<void> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    parsed = null as unknown as URL;
  }
  if (!parsed || (parsed.protocol !== "https:" && parsed.protocol !== "http:")) {
    throw new DomainError("VALIDATION_FAILED", "url: expected an http(s) URL", {
      fields: [{ path: "url", message: "expected an http(s) URL" }],
    });
  }
  if (!allowPrivateAddresses && !(await resolvesToPublicAddresses(parsed.hostname))) {
    const message = "must be a public internet address, not loopback, private, link-local or unique-local";
    throw new DomainError("VALIDATION_FAILED", `url: ${message}`, { fields: [{ path: "url", message }] });
  }
}

/**
 * Registers a receiver for a partner key. The signing secret is returned here and never again.
 * `eventTypes` takes exact types ("payout.paid") or prefixes ("payout.*"); empty means all.
 */
export async function registerWebhookEndpoint(options: {
  db: Db;
  partnerKeyId: string;
  url: string;
  eventTypes: string[];
  /** WEBHOOK_ALLOW_PRIVATE_ADDRESSES: receivers on loopback or private networks (tests, local dev). */
  allowPrivateAddresses?: boolean;
}): Promise<{ endpoint: WebhookEndpointView; secret: string }> {
  await validateUrl(options.url, options.allowPrivateAddresses ?? false);
  options.eventTypes.forEach((type, i) => {
    if (!eventTypePattern.test(type)) {
      throw new DomainError("VALIDATION_FAILED", `eventTypes.${i}: expected e.g. payout.paid or payout.*`, {
        fields: [{ path: `eventTypes.${i}`, message: "expected e.g. payout.paid or payout.*" }],
      });
    }
  });
  const secret = `whsec_${randomBytes(32).toString("hex")}`;
  const row = await options.db.webhookEndpoint.create({
    data: {
      partnerKeyId: options.partnerKeyId,
      url: options.url,
      eventTypes: [...new Set(options.eventTypes)],
      secret,
    },
  });
  return { endpoint: toView(row), secret };
}

export async function listWebhookEndpoints(options: {
  db: Db;
  partnerKeyId: string;
}): Promise<WebhookEndpointView[]> {
  const rows = await options.db.webhookEndpoint.findMany({
    where: { partnerKeyId: options.partnerKeyId },
    orderBy: { createdAt: "asc" },
  });
  return rows.map(toView);
}

/** Stops future deliveries to the endpoint; its log stays. */
export async function disableWebhookEndpoint(options: {
  db: Db;
  partnerKeyId: string;
  endpointId: string;
}): Promise<WebhookEndpointView> {
  const result = await options.db.webhookEndpoint.updateMany({
    where: { id: options.endpointId, partnerKeyId: options.partnerKeyId },
    data: { active: false },
  });
  if (result.count === 0) throw new DomainError("NOT_FOUND", "webhook endpoint not found");
  return toView(await options.db.webhookEndpoint.findUniqueOrThrow({ where: { id: options.endpointId } }));
}

/** A partner follows a user: that user's events reach the partner's endpoints. Idempotent. */
export async function subscribePartnerToUser(options: {
  db: Db;
  partnerKeyId: string;
  userId: string;
}): Promise<void> {
  await options.db.partnerUserSubscription.upsert({
    where: { partnerKeyId_userId: { partnerKeyId: options.partnerKeyId, userId: options.userId } },
    create: { partnerKeyId: options.partnerKeyId, userId: options.userId },
    update: {},
  });
}
