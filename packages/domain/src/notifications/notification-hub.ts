import { listenToChannel, type ChannelListener, type Db } from "@agrinet/db";
import { newestNotificationId } from "@agrinet/stores/outbox";
import { notificationsChannel } from "./dispatch-domain-events";
import { listNotificationsAfter } from "./list-notifications";
import { toNotificationView, type NotificationRecipient, type NotificationView } from "./notification-view";

type Subscriber = {
  key: string;
  push(item: NotificationView): void;
};

export type NotificationHubOptions = {
  db: Db;
  /** The hub holds one LISTEN connection of its own, whatever the number of clients. */
  connectionString: string;
  /** Safety net if a NOTIFY is lost while the listener reconnects. */
  pollIntervalMs?: number;
  /**
   * Notifications one stream may have waiting for its reader (default 1,000). A reader further
   * behind is ended with `SlowReaderError`; it resumes from the database with Last-Event-ID.
   */
  maxQueuedPerReader?: number;
  onError?: (error: unknown) => void;
};

export type SubscribeOptions = {
  /** Replay everything after this id first (SSE `Last-Event-ID`). */
  lastEventId?: bigint;
  signal?: AbortSignal;
};

/** The reader fell too far behind; `lastEventId` (none: nothing sent yet) is where to resume. */
export class SlowReaderError extends Error {
  constructor(readonly lastEventId: bigint | undefined) {
    super("the stream's reader fell too far behind; reconnect with Last-Event-ID to resume");
  }
}

const recipientKey = (r: { audience: string; recipientId: string }) => `${r.audience}:${r.recipientId}`;

/**
 * Per-process fan-out of notifications to live streams: one LISTEN connection, one query per
 * wake-up for all clients. Notification ids commit in increasing order (the dispatcher writes
 * them under its cursor lock), so `id > last fetched` never skips one.
 */
export class NotificationHub {
  private readonly subscribers = new Map<string, Set<Subscriber>>();
  private listener: ChannelListener | null = null;
  private lastFetchedId = 0n;
  private fetching: Promise<void> | null = null;
  private fetchAgain = false;
  private pollTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly options: NotificationHubOptions) {}

  /** Live streams currently attached (the SSE clients gauge). */
  get clientCount(): number {
    let count = 0;
    for (const set of this.subscribers.values()) count += set.size;
    return count;
  }

  async start(): Promise<void> {
    const newest = await this.options.db.notification.findFirst({
      orderBy: { id: "desc" },
      select: { id: true },
    });
    this.lastFetchedId = newest?.id ?? 0n;
    this.listener = await listenToChannel({
      connectionString: this.options.connectionString,
      channel: notificationsChannel,
      onNotify: () => this.wake(),
      onError: (error) => this.options.onError?.(error),
    });
    this.pollTimer = setInterval(() => this.wake(), this.options.pollIntervalMs ?? 5_000);
    this.pollTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    await this.listener?.stop();
    this.listener = null;
    await this.fetching;
  }

  /** Coalesces wake-ups: at most one fetch runs, and one more follows if woken meanwhile. */
  private wake(): void {
    if (this.stopped) return;
    if (this.fetching) {
      this.fetchAgain = true;
      return;
    }
    this.fetching = this.fetchNew()
      .catch((error: unknown) => this.options.onError?.(error))
      .finally(() => {
        this.fetching = null;
        if (this.fetchAgain) {
          this.fetchAgain = false;
          this.wake();
        }
      });
  }

  private async fetchNew(): Promise<void> {
    // Nobody listening: move the cursor without reading rows (a busy API writes thousands a
    // second). A stream attached during the query makes it read the rows after all: anything
    // that committed after it attached must reach it.
    if (this.subscribers.size === 0) {
      const newest = await newestNotificationId(this.options.db.$pool);
      if (this.subscribers.size === 0) {
        if (newest > this.lastFetchedId) this.lastFetchedId = newest;
        return;
      }
    }
    for (;;) {
      const rows = await this.options.db.notification.findMany({
        where: { id: { gt: this.lastFetchedId } },
        orderBy: { id: "asc" },
        take: 1_000,
      });
      for (const row of rows) {
        this.lastFetchedId = row.id;
        const set = this.subscribers.get(recipientKey(row));
        if (!set) continue;
        const view = toNotificationView(row);
        for (const subscriber of set) subscriber.push(view);
      }
      if (rows.length < 1_000) return;
    }
  }

  /**
   * The recipient's notifications as they arrive, after replaying those after `lastEventId`.
   * Ends when `signal` aborts.
   */
  async *subscribe(
    recipient: NotificationRecipient,
    options: SubscribeOptions = {},
  ): AsyncGenerator<NotificationView> {
    const queue: NotificationView[] = [];
    const maxQueued = this.options.maxQueuedPerReader ?? 1_000;
    let overflowed = false;
    let wakeConsumer: (() => void) | null = null;
    const subscriber: Subscriber = {
      key: recipientKey(recipient),
      push(item) {
        if (overflowed) return;
        if (queue.length >= maxQueued) {
          // Memory is bounded per reader: drop what is queued, the reader replays it from the table.
          overflowed = true;
          queue.length = 0;
        } else {
          queue.push(item);
        }
        wakeConsumer?.();
      },
    };
    const onAbort = () => wakeConsumer?.();
    options.signal?.addEventListener("abort", onAbort);
    // Attach before replaying, so nothing committed during the replay query is missed.
    let set = this.subscribers.get(subscriber.key);
    if (!set) this.subscribers.set(subscriber.key, (set = new Set()));
    set.add(subscriber);
    try {
      let lastSent = options.lastEventId ?? -1n;
      let sentAny = options.lastEventId !== undefined;
      if (options.lastEventId !== undefined) {
        for (;;) {
          const missed = await listNotificationsAfter({
            db: this.options.db,
            recipient,
            afterId: lastSent,
          });
          for (const item of missed) {
            if (options.signal?.aborted) return;
            lastSent = BigInt(item.id);
            sentAny = true;
            yield item;
          }
          if (missed.length < 500) break;
        }
      }
      while (!options.signal?.aborted) {
        if (overflowed) throw new SlowReaderError(sentAny ? lastSent : undefined);
        const item = queue.shift();
        if (!item) {
          await new Promise<void>((resolve) => (wakeConsumer = resolve));
          wakeConsumer = null;
          continue;
        }
        if (BigInt(item.id) <= lastSent) continue;
        lastSent = BigInt(item.id);
        sentAny = true;
        yield item;
      }
    } finally {
      options.signal?.removeEventListener("abort", onAbort);
      set.delete(subscriber);
      if (set.size === 0) this.subscribers.delete(subscriber.key);
    }
  }
}
