// Requests sent at a fixed rate whatever the answers' pace (an open loop), as partners' requests
// arrive: the latency a caller waits at a given load. A closed loop of N connections (autocannon)
// sends the next request only once the last is answered, so at saturation it measures N ÷ rate
// (Little's law), not a partner's wait; autocannon's own rate limit sends each connection's share
// of a second in a burst at the start of it. Here request i is due at i ÷ rate seconds, and its
// latency counts from then: a request the client could not send on time (all sockets busy, its
// own event loop late) is charged for the wait, so a slow server cannot hide behind a slow client.
import http from "node:http";
import { quantile } from "./figures";

export type OpenLoopOptions = {
  /** Base URL of the server, e.g. http://127.0.0.1:4000. */
  url: string;
  method: "POST";
  path: string;
  headers: Record<string, string>;
  /** Requests per second. */
  rate: number;
  count: number;
  /** The body of the i-th request. */
  body(i: number): string;
  /** Sockets at most (default 256); a request due while all are busy waits for one, on the clock. */
  maxSockets?: number;
  timeoutMs?: number;
};

export type OpenLoopResult = {
  ok: number;
  failed: number;
  /** "3 × 503, 1 × error" for what was not 2xx. */
  statuses: string;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Requests answered per second, first due to last answered. */
  achievedRate: number;
};

export async function openLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 256 });
  const target = new URL(options.path, options.url);
  const latencies: number[] = [];
  const refusals = new Map<string, number>();
  const refuse = (what: string) => refusals.set(what, (refusals.get(what) ?? 0) + 1);
  const intervalMs = 1000 / options.rate;
  const started = performance.now();
  let sent = 0;
  let answered = 0;
  let finish = () => {};
  const allAnswered = new Promise<void>((resolve) => (finish = resolve));

  const send = (i: number) => {
    const dueAt = started + i * intervalMs;
    const body = options.body(i);
    let done = false;
    const answer = (status: number | "error") => {
      if (done) return;
      done = true;
      if (typeof status === "number" && status >= 200 && status < 300) latencies.push(performance.now() - dueAt);
      else refuse(String(status));
      if (++answered === options.count) finish();
    };
    const request = http.request(
      {
        hostname: target.hostname,
        port: target.port,
        path: target.pathname,
        method: options.method,
        agent,
        headers: { ...options.headers, "content-length": Buffer.byteLength(body) },
        timeout: options.timeoutMs ?? 60_000,
      },
      (response) => {
        response.resume();
        response.on("end", () => answer(response.statusCode ?? 0));
        response.on("error", () => answer("error"));
      },
    );
    request.on("timeout", () => request.destroy(new Error("timeout")));
    request.on("error", () => answer("error"));
    request.end(body);
  };

  // Sends every request due by now, then sleeps until the next one is due.
  const tick = () => {
    const due = Math.min(options.count, Math.floor((performance.now() - started) / intervalMs) + 1);
    while (sent < due) send(sent++);
    if (sent < options.count) setTimeout(tick, Math.max(0, started + sent * intervalMs - performance.now()));
  };
  // Nothing to send (BENCH_FIXED_RATE_SECONDS=0) is answered at once: no answer would finish it.
  if (options.count === 0) finish();
  else tick();
  await allAnswered;
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => (latencies.length === 0 ? 0 : Math.round(quantile(latencies, q)));
  return {
    ok: latencies.length,
    failed: options.count - latencies.length,
    statuses: [...refusals].map(([what, n]) => `${n} × ${what}`).join(", "),
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    maxMs: Math.round(latencies.at(-1) ?? 0),
    achievedRate: seconds > 0 ? latencies.length / seconds : 0,
  };
}
