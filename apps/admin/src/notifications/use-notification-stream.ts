"use client";
import type { AppRouter } from "@agrinet/router";
import type { inferRouterOutputs } from "@trpc/server";
import { useEffect, useRef, useState } from "react";

export type NotificationItem = inferRouterOutputs<AppRouter>["notifications"]["list"]["items"][number];

/** connecting → open; "reconnecting" while the browser retries; "closed" when it gave up. */
export type StreamState = "connecting" | "open" | "reconnecting" | "closed";

/**
 * Follows the API's notification stream (/notifications/stream, forwarded same-origin by
 * src/proxy.ts, so the session cookie goes along). EventSource reconnects on its own and sends
 * Last-Event-ID, so the API replays whatever was missed in between.
 */
export function useNotificationStream(onNotification: (notification: NotificationItem) => void, enabled = true): StreamState {
  const [state, setState] = useState<StreamState>("connecting");
  // The latest callback, without reopening the stream each render.
  const handler = useRef(onNotification);
  useEffect(() => {
    handler.current = onNotification;
  }, [onNotification]);

  useEffect(() => {
    if (!enabled) return;
    const source = new EventSource("/notifications/stream");
    source.onopen = () => setState("open");
    source.onerror = () => setState(source.readyState === EventSource.CLOSED ? "closed" : "reconnecting");
    source.onmessage = (event: MessageEvent<string>) => {
      try {
        handler.current(JSON.parse(event.data) as NotificationItem);
      } catch {
        // A malformed event is skipped: the list query still shows what was stored.
      }
    };
    return () => source.close();
  }, [enabled]);

  return enabled ? state : "closed";
}
