import { once } from "node:events";
import { DomainError } from "@agrinet/core";
import { SlowReaderError, type NotificationHub } from "@agrinet/domain";
import { assertCallerReaches, checkAccess, notificationRecipientFor, type Access, type Principal } from "@agrinet/router";
import type { FastifyInstance } from "fastify";
import type { ApiMetrics } from "../metrics";
import type { ContextDeps } from "../request-context";

/** Same rule as notifications.onNotification; the stream does not pass through tRPC. */
export const notificationStreamAccess: Access = {
  staff: ["admin", "operator", "viewer"],
  partner: ["notifications:read"],
  user: "self",
};

export type NotificationRoutesOptions = ContextDeps & {
  metrics: ApiMetrics;
  /** Comment lines keep proxies from closing idle streams. */
  heartbeatMs: number;
  /** Open streams one credential may hold on this process (SSE_MAX_STREAMS_PER_CALLER). */
  maxStreamsPerCaller: number;
};

function callerKey(principal: Principal): string {
  switch (principal.kind) {
    case "partner":
      return `partner:${principal.keyId}`;
    case "staff":
      return `staff:${principal.userId}`;
    case "user":
      return `user:${principal.userId}`;
  }
}

const eventId = /^\d{1,19}$/;

export async function notificationRoutes(fastify: FastifyInstance, options: NotificationRoutesOptions) {
  const streams = new Set<AbortController>();
  // Each stream holds a socket, a subscriber and a queue: one key must not hold them by the dozen.
  const streamsPerCaller = new Map<string, number>();
  // Open streams would otherwise hold a graceful shutdown until the grace period ends.
  fastify.addHook("preClose", async () => {
    for (const stream of streams) stream.abort();
  });

  fastify.get<{ Querystring: { userId?: string; lastEventId?: string } }>(
    "/notifications/stream",
    {
      config: {
        openapi: {
          operationId: "notificationsStream",
          summary: "Live notifications (Server-Sent Events); Last-Event-ID resumes",
          tags: ["notifications"],
          parameters: [
            { name: "userId", in: "query", required: false, schema: { type: "string" } },
            { name: "Last-Event-ID", in: "header", required: false, schema: { type: "string" } },
          ],
          responses: {
            "200": { description: "An event stream; each event's id is the notification id", content: { "text/event-stream": {} } },
          },
          access: notificationStreamAccess,
          errorStatuses: [400, 503],
        },
      },
    },
    async (request, reply) => {
      const hub: NotificationHub | undefined = options.notificationHub;
      let lastEventId: bigint | undefined;
      const principal = request.principal;
      const decision = checkAccess(notificationStreamAccess, principal, { userId: request.query.userId });
      if (decision === "unauthorized") throw new DomainError("UNAUTHORIZED", "missing or invalid credentials");
      if (decision === "forbidden") throw new DomainError("FORBIDDEN", "not allowed for this caller");
      await assertCallerReaches(options.createContext(request).db, principal, { userId: request.query.userId });
      if (!hub) throw new DomainError("SERVICE_UNAVAILABLE", "live notifications are not available");
      const caller = callerKey(principal!);
      const held = streamsPerCaller.get(caller) ?? 0;
      if (held >= options.maxStreamsPerCaller) {
        throw new DomainError("RATE_LIMITED", `at most ${options.maxStreamsPerCaller} open notification streams per credential; close one first`);
      }
      const recipient = notificationRecipientFor(principal, request.query.userId);
      // EventSource resends the header on reconnect; the query form serves a first connect.
      const resumeFrom = request.headers["last-event-id"] ?? request.query.lastEventId;
      if (resumeFrom !== undefined && resumeFrom !== "") {
        if (typeof resumeFrom !== "string" || !eventId.test(resumeFrom)) {
          throw new DomainError("VALIDATION_FAILED", "Last-Event-ID: expected a notification id", {
            fields: [{ path: "Last-Event-ID", message: "expected a notification id" }],
          });
        }
        lastEventId = BigInt(resumeFrom);
      }

      streamsPerCaller.set(caller, held + 1);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache, no-transform",
        connection: "keep-alive",
        "x-accel-buffering": "no",
      });
      res.write("retry: 3000\n: connected\n\n");

      const abort = new AbortController();
      streams.add(abort);
      res.on("close", () => abort.abort());
      const heartbeat = setInterval(() => res.write(": heartbeat\n\n"), options.heartbeatMs);
      try {
        for await (const notification of hub!.subscribe(recipient, { lastEventId, signal: abort.signal })) {
          const ok = res.write(`id: ${notification.id}\ndata: ${JSON.stringify(notification)}\n\n`);
          options.metrics.notificationsDelivered.inc({ transport: "sse" });
          // A slow client waits on its own socket instead of growing this process's memory.
          if (!ok) await once(res, "drain", { signal: abort.signal }).catch(() => {});
        }
      } catch (error) {
        if (error instanceof SlowReaderError) {
          // EventSource reconnects by itself with the last id it received; the event says so.
          const resume = error.lastEventId === undefined ? null : error.lastEventId.toString();
          res.write(`event: overflow\ndata: ${JSON.stringify({ reason: "reader too slow", lastEventId: resume })}\n\n`);
        } else {
          request.log.warn({ err: error }, "notification stream ended with an error");
        }
      } finally {
        clearInterval(heartbeat);
        streams.delete(abort);
        const left = (streamsPerCaller.get(caller) ?? 1) - 1;
        if (left > 0) streamsPerCaller.set(caller, left);
        else streamsPerCaller.delete(caller);
        res.end();
      }
    },
  );
}
