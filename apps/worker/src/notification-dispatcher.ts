import { listenToChannel, type Db } from "@agrinet/db";
import { dispatchAllDomainEvents } from "@agrinet/domain";
import type { Logger } from "pino";

export type NotificationDispatcher = { stop(): Promise<void> };

/**
 * Runs the outbox dispatcher whenever an event commits (LISTEN domain_events) and on a timer,
 * which also catches events left behind a transaction that was still open at the last pass.
 * Progress lives in outbox_cursors, so a restart resumes exactly where the last commit left it.
 */
export async function startNotificationDispatcher(options: {
  db: Db;
  connectionString: string;
  log: Logger;
  pollIntervalMs?: number;
  /** How long a wake-up waits for more events before dispatching (default 20 ms). */
  gatherMs?: number;
  /** Least time between the starts of two woken dispatches (default 100 ms). */
  minIntervalMs?: number;
}): Promise<NotificationDispatcher> {
  const { db, log } = options;
  const gatherMs = options.gatherMs ?? 20;
  const minIntervalMs = options.minIntervalMs ?? 100;
  let stopped = false;
  let running: Promise<void> | null = null;
  let again = false;
  let lastStartedAt = Number.NEGATIVE_INFINITY;

  const run = (): void => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    lastStartedAt = Date.now();
    running = dispatchAllDomainEvents({ db })
      .then((result) => {
        if (result.events > 0) log.debug(result, "dispatched domain events");
      })
      .catch((error: unknown) => log.error({ err: error }, "dispatching domain events failed"))
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          run();
        }
      });
  };

  // Under load events commit hundreds of times a second; each wake-up waits a moment so one
  // dispatch transaction takes them together instead of one transaction per event.
  let gathering: NodeJS.Timeout | null = null;
  const runSoon = (): void => {
    if (gathering || stopped) return;
    gathering = setTimeout(
      () => {
        gathering = null;
        run();
      },
      dispatchDelayMs({ sinceLastStartMs: Date.now() - lastStartedAt, gatherMs, minIntervalMs }),
    );
  };

  // While the LISTEN connection is lost (it reconnects by itself), the timer alone drives dispatch.
  const listener = await listenToChannel({
    connectionString: options.connectionString,
    channel: "domain_events",
    onNotify: runSoon,
    onError: (error) => log.warn({ err: error }, "outbox listener lost; polling until it is back"),
  });
  const timer = setInterval(run, options.pollIntervalMs ?? 1_000);
  run();

  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      if (gathering) clearTimeout(gathering);
      await listener.stop();
      await running;
    },
  };
}

/**
 * How long a wake-up waits before dispatching. After a quiet spell, `gatherMs`: an isolated event
 * goes out at once. Under a steady stream, dispatches start at most every `minIntervalMs`: each
 * one is a transaction with a fixed cost (cursor lock, reads, webhook match, commit, the API hubs
 * woken), which at 20 ms batches of ~30 events cost the worker and PostgreSQL more than the
 * notifications themselves; 100 ms batches cut that to a fifth for a tenth of a second of delay.
 */
export function dispatchDelayMs(options: { sinceLastStartMs: number; gatherMs: number; minIntervalMs: number }): number {
  return Math.max(options.gatherMs, options.minIntervalMs - options.sinceLastStartMs);
}
