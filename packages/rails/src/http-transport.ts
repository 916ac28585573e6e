import http from "node:http";
import https from "node:https";
import { urlToHttpOptions } from "node:url";

export type HttpRequest = { method: "GET" | "POST"; headers: Record<string, string>; body?: string; timeoutMs: number };
export type HttpResponse = { status: number; text: string };
/** Sends one request and reads the whole answer; rejects on a network error or the timeout. */
export type HttpTransport = (url: string, request: HttpRequest) => Promise<HttpResponse>;

/**
 * node:http over keep-alive agents. A payout costs a B2C request and a status query, thousands
 * a second: `fetch` (undici and its web streams) costs several times the CPU per request, and a
 * new connection per request would cost a TCP (and TLS) handshake each.
 */
export function createKeepAliveTransport(options: { maxSockets?: number } = {}): HttpTransport {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 64, scheduling: "lifo" as const };
  const agents = { "http:": new http.Agent(agentOptions), "https:": new https.Agent(agentOptions) };
  // A provider's few endpoint URLs, parsed once each rather than for every request.
  const targets = new Map<string, http.RequestOptions>();
  const targetOf = (url: string) => {
    let target = targets.get(url);
    if (!target) {
      const parsed = new URL(url);
      const secure = parsed.protocol === "https:";
      target = { ...urlToHttpOptions(parsed), agent: secure ? agents["https:"] : agents["http:"] };
      if (targets.size >= 100) targets.clear();
      targets.set(url, target);
    }
    return target;
  };
  return (url, request) =>
    new Promise<HttpResponse>((resolve, reject) => {
      const target = targetOf(url);
      const client = target.protocol === "https:" ? https : http;
      const headers = request.body === undefined ? request.headers : { ...request.headers, "content-length": String(Buffer.byteLength(request.body)) };
      const outgoing = client.request({ ...target, method: request.method, headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          clearTimeout(timer);
          resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") });
        });
        response.on("error", fail);
      });
      function fail(error: Error) {
        clearTimeout(timer);
        reject(error);
      }
      // A deadline for the whole exchange, not only for a silent socket.
      const timer = setTimeout(() => outgoing.destroy(new Error(`no answer within ${request.timeoutMs} ms`)), request.timeoutMs);
      outgoing.on("error", fail);
      outgoing.end(request.body);
    });
}

/** The same contract over a `fetch` (tests that intercept requests). */
export function fetchTransport(fetchImpl: typeof fetch): HttpTransport {
  return async (url, request) => {
    const response = await fetchImpl(url, {
      method: request.method,
      headers: request.headers,
      ...(request.body === undefined ? {} : { body: request.body }),
      signal: AbortSignal.timeout(request.timeoutMs),
    });
    return { status: response.status, text: await response.text() };
  };
}
