import { DomainError } from "@agrinet/core";
import type { Db } from "@agrinet/db";
import { addWebhookDeliveryJobs } from "@agrinet/job-queue";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP } from "node:net";
import { isPublicAddress, NonPublicAddressError, publicOnlyLookup } from "./webhook-address";
import { webhookMaxAttempts } from "../notifications/dispatch-domain-events";
import { signWebhookPayload, webhookSignatureHeader } from "./webhook-signature";

export type WebhookAttemptOutcome =
  /** 2xx: done. */
  | { outcome: "succeeded"; statusCode: number }
  /** Network error, timeout, 408, 429 or 5xx: the job should be retried with backoff. */
  | { outcome: "retry"; statusCode: number | null; error: string }
  /** Any other answer: the receiver refused it, or its address is not allowed; retrying would not help. */
  | { outcome: "failed"; statusCode: number | null; error?: string }
  /** Already delivered, or the endpoint was disabled. */
  | { outcome: "skipped" };

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** The JSON a receiver gets; the event id doubles as its idempotency key. */
export function webhookBody(event: {
  id: bigint;
  type: string;
  aggregateType: string;
  aggregateId: string;
  createdAt: Date;
  payload: unknown;
}): string {
  return JSON.stringify({
    id: event.id.toString(),
    type: event.type,
    aggregateType: event.aggregateType,
    aggregateId: event.aggregateId,
    occurredAt: event.createdAt.toISOString(),
    data: event.payload,
  });
}

/**
 * POSTs to the receiver over node:http(s) with a lookup that refuses non-public addresses at
 * connect time. Redirects are not followed (a 3xx is the receiver's answer).
 */
function postWebhook(url: string, headers: Record<string, string>, body: string, timeoutMs: number, allowPrivateAddresses: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const literal = target.hostname.replace(/^\[|\]$/g, "");
    // An IP literal never goes through lookup: check it here.
    if (!allowPrivateAddresses && isIP(literal) && !isPublicAddress(literal)) return reject(new NonPublicAddressError(literal));
    const send = target.protocol === "https:" ? httpsRequest : httpRequest;
    const request = send(
      target,
      {
        method: "POST",
        headers: { ...headers, "content-length": Buffer.byteLength(body) },
        lookup: publicOnlyLookup(allowPrivateAddresses),
        timeout: timeoutMs,
      },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    request.on("timeout", () => request.destroy(new WebhookTimeoutError()));
    request.on("error", reject);
    request.end(body);
  });
}

class WebhookTimeoutError extends Error {}

/**
 * What the delivery log says about a failed attempt: a category, never the system's message
 * (which names internal hosts, ports and errors), so the log tells the partner what to fix and
 * nothing about the network the API runs in.
 */
function attemptError(cause: unknown): { error: string; final: boolean } {
  if (cause instanceof NonPublicAddressError) return { error: "destination address not allowed", final: true };
  if (cause instanceof WebhookTimeoutError) return { error: "timed out", final: false };
  return { error: "connection failed", final: false };
}

/** One HTTP attempt for a delivery, logged; the caller (a queued job) retries on "retry". */
export async function attemptWebhookDelivery(options: {
  db: Db;
  deliveryId: bigint;
  timeoutMs?: number;
  now?: () => Date;
  /** WEBHOOK_ALLOW_PRIVATE_ADDRESSES: receivers on loopback or private networks (tests, local dev). */
  allowPrivateAddresses?: boolean;
}): Promise<WebhookAttemptOutcome> {
  const now = options.now ?? (() => new Date());
  const delivery = await options.db.webhookDelivery.findUnique({
    where: { id: options.deliveryId },
    include: { endpoint: true, event: true },
  });
  if (!delivery || delivery.status !== "pending" || !delivery.endpoint.active) {
    return { outcome: "skipped" };
  }
  const body = webhookBody(delivery.event);
  const timestamp = Math.floor(now().getTime() / 1000);
  const started = performance.now();
  let statusCode: number | null = null;
  let error: string | null = null;
  let finalError = false;
  try {
    statusCode = await postWebhook(
      delivery.endpoint.url,
      {
        "content-type": "application/json",
        "user-agent": "agrinet-pay-webhooks/1",
        [webhookSignatureHeader]: signWebhookPayload(delivery.endpoint.secret, timestamp, body),
        "agrinet-event-id": delivery.event.id.toString(),
        "agrinet-event-type": delivery.event.type,
      },
      body,
      options.timeoutMs ?? 10_000,
      options.allowPrivateAddresses ?? false,
    );
  } catch (cause) {
    ({ error, final: finalError } = attemptError(cause));
  }
  const durationMs = Math.round(performance.now() - started);

  const result: WebhookAttemptOutcome =
    statusCode === null && finalError
      ? { outcome: "failed", statusCode: null, error: error! }
      : statusCode === null
      ? { outcome: "retry", statusCode: null, error: error ?? "connection failed" }
      : statusCode >= 200 && statusCode < 300
        ? { outcome: "succeeded", statusCode }
        : isRetryableStatus(statusCode)
          ? { outcome: "retry", statusCode, error: `HTTP ${statusCode}` }
          : { outcome: "failed", statusCode };

  await options.db.$transaction([
    options.db.webhookDeliveryAttempt.create({
      data: { deliveryId: delivery.id, statusCode, error, durationMs },
    }),
    options.db.webhookDelivery.update({
      where: { id: delivery.id },
      data: {
        attempts: { increment: 1 },
        lastStatusCode: statusCode,
        lastError:
          result.outcome === "retry" ? result.error : result.outcome === "failed" ? (result.error ?? `HTTP ${statusCode}`) : null,
        ...(result.outcome === "succeeded" ? { status: "succeeded", completedAt: now() } : {}),
        ...(result.outcome === "failed" ? { status: "failed", completedAt: now() } : {}),
      },
    }),
  ]);
  return result;
}

/** Called when the job has used its last attempt: the delivery stops as failed. */
export async function giveUpWebhookDelivery(options: { db: Db; deliveryId: bigint }): Promise<void> {
  await options.db.webhookDelivery.updateMany({
    where: { id: options.deliveryId, status: "pending" },
    data: { status: "failed", completedAt: new Date() },
  });
}

export type WebhookDeliveryView = {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  status: "pending" | "succeeded" | "failed";
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  completedAt: string | null;
  log: Array<{ statusCode: number | null; error: string | null; durationMs: number; at: string }>;
};

/** The delivery log of a partner's endpoints, newest first. */
export async function listWebhookDeliveries(options: {
  db: Db;
  partnerKeyId: string;
  endpointId?: string;
  cursor?: string;
  limit?: number;
}): Promise<{ items: WebhookDeliveryView[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 200);
  const rows = await options.db.webhookDelivery.findMany({
    where: {
      endpoint: { partnerKeyId: options.partnerKeyId },
      ...(options.endpointId ? { endpointId: options.endpointId } : {}),
      ...(options.cursor ? { id: { lt: BigInt(options.cursor) } } : {}),
    },
    include: { event: { select: { type: true } }, attemptsLog: { orderBy: { id: "asc" } } },
    orderBy: { id: "desc" },
    take: limit + 1,
  });
  const page = rows.slice(0, limit);
  return {
    items: page.map((row) => ({
      id: row.id.toString(),
      endpointId: row.endpointId,
      eventId: row.eventId.toString(),
      eventType: row.event.type,
      status: row.status,
      attempts: row.attempts,
      lastStatusCode: row.lastStatusCode,
      lastError: row.lastError,
      createdAt: row.createdAt.toISOString(),
      completedAt: row.completedAt?.toISOString() ?? null,
      log: row.attemptsLog.map((a) => ({
        statusCode: a.statusCode,
        error: a.error,
        durationMs: a.durationMs,
        at: a.createdAt.toISOString(),
      })),
    })),
    nextCursor: rows.length > limit ? page[page.length - 1]!.id.toString() : null,
  };
}

/**
 * Sends a delivery again (after the receiver is fixed): back to pending and queued now. A
 * delivery still being retried is simply brought forward (same job key).
 */
export async function redeliverWebhook(options: {
  db: Db;
  partnerKeyId: string;
  deliveryId: bigint;
}): Promise<{ id: string; status: "pending" }> {
  return options.db.$transaction(async (tx) => {
    const updated = await tx.webhookDelivery.updateMany({
      where: { id: options.deliveryId, endpoint: { partnerKeyId: options.partnerKeyId } },
      data: { status: "pending", completedAt: null },
    });
    if (updated.count === 0) throw new DomainError("NOT_FOUND", "webhook delivery not found");
    await addWebhookDeliveryJobs(tx, { deliveryIds: [options.deliveryId.toString()], maxAttempts: webhookMaxAttempts });
    return { id: options.deliveryId.toString(), status: "pending" as const };
  });
}
