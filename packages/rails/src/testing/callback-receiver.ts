import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export type ReceivedCallback = { path: string; query: URLSearchParams; body: unknown };

/**
 * A loopback HTTP server that records every JSON POST it receives, standing in for the API's
 * callback endpoints in tests of the rails against the Daraja sandbox.
 */
export async function startCallbackReceiver() {
  const received: ReceivedCallback[] = [];
  const waiters = new Set<() => void>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const url = new URL(request.url ?? "/", "http://receiver.local");
      let body: unknown = null;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        body = Buffer.concat(chunks).toString("utf8");
      }
      received.push({ path: url.pathname, query: url.searchParams, body });
      for (const wake of waiters) wake();
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ ResultCode: 0, ResultDesc: "Accepted" }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    received: () => [...received],
    /** Resolves once `count` callbacks match; rejects after `timeoutMs` so a broken rail fails the test. */
    waitFor(match: (callback: ReceivedCallback) => boolean, count = 1, timeoutMs = 10_000): Promise<ReceivedCallback[]> {
      return new Promise((resolve, reject) => {
        const check = () => {
          const matching = received.filter(match);
          if (matching.length >= count) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve(matching);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`expected ${count} matching callback(s), got ${received.filter(match).length}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
