import { connect as netConnect, isIP, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";

/** Where a callback goes: a URL already split as http.request would take it. */
export type CallbackTarget = {
  protocol: string;
  hostname: string;
  port: string;
  path: string;
  auth: string | undefined;
};

export type CallbackClient = {
  /** POSTs a JSON text; resolves with the HTTP status of the answer (its body is read and dropped). */
  post(target: CallbackTarget, json: string): Promise<number>;
  /** Cuts off every connection; callbacks on the wire or waiting for one reject with `error`. */
  close(error: Error): void;
};

type Pending = {
  head: string;
  json: string;
  resolve(status: number): void;
  reject(error: Error): void;
};

const defaultMaxSocketsPerOrigin = 64;
const maxHeadBytes = 64 * 1024;
const crlfCrlf = Buffer.from("\r\n\r\n");
const lastChunk = Buffer.from("0\r\n");

/**
 * A keep-alive HTTP/1.1 client for the sandbox's callbacks, written and read by hand over
 * net/tls sockets. Under a load test the sandbox shares the machine with the API it calls, and
 * http.request (ClientRequest, the agent, an IncomingMessage per answer, a socket timer re-armed
 * on every read and write) cost more of its CPU than anything it does itself. A callback is one
 * write (head and body together) and its answer is parsed just enough to find its end: status,
 * Content-Length or chunked, Connection: close. A connection waits for its answer before taking
 * the next callback (no pipelining); up to 64 connections per origin, as the agent allowed. As
 * node's agent does, the timeout runs from when a callback is sent (not while it waits for a
 * connection), and an idle connection is not reused once the server's `Keep-Alive: timeout=N`
 * is less than a second away, when the server may be closing it as it is written to.
 */
export function createCallbackClient(options: { timeoutMs: number; maxSocketsPerOrigin?: number }): CallbackClient {
  const maxSockets = options.maxSocketsPerOrigin ?? defaultMaxSocketsPerOrigin;
  type Origin = { connect(): Socket; idle: Connection[]; open: number; queue: Pending[] };
  const origins = new Map<string, Origin>();
  const busy = new Set<Connection>();
  let closedWith: Error | undefined;
  // One sweep a second instead of a timer per callback: a callback is late by up to a second more.
  let sweeper: NodeJS.Timeout | undefined;
  function sweep() {
    const now = Date.now();
    for (const connection of busy) {
      if (connection.current && connection.deadline <= now) {
        connection.fail(new Error(`callback timed out after ${options.timeoutMs / 1000} s`));
      }
    }
    if (busy.size === 0 && sweeper) {
      clearInterval(sweeper);
      sweeper = undefined;
    }
  }

  function originOf(target: CallbackTarget): Origin {
    const key = `${target.protocol}//${target.hostname}:${target.port}`;
    let origin = origins.get(key);
    if (!origin) {
      const secure = target.protocol === "https:";
      const port = Number(target.port || (secure ? 443 : 80));
      const host = target.hostname;
      origin = {
        connect: secure
          ? () => tlsConnect({ host, port, ALPNProtocols: ["http/1.1"], ...(isIP(host) ? {} : { servername: host }) })
          : () => netConnect({ host, port }),
        idle: [],
        open: 0,
        queue: [],
      };
      origins.set(key, origin);
    }
    return origin;
  }

  function dispatch(origin: Origin, pending: Pending) {
    let connection = origin.idle.pop();
    while (connection && connection.reusableUntil <= Date.now()) {
      connection.fail(new Error("idle past the server's keep-alive timeout"));
      connection = origin.idle.pop();
    }
    if (connection) connection.send(pending);
    else if (origin.open < maxSockets) new Connection(origin).send(pending);
    else origin.queue.push(pending);
  }

  class Connection {
    readonly socket: Socket;
    current: Pending | undefined;
    deadline = 0;
    /** While idle: when the server's keep-alive hint says to stop reusing it. */
    reusableUntil = Number.POSITIVE_INFINITY;
    private idleLimitMs = Number.POSITIVE_INFINITY;
    private buffered: Buffer | undefined;
    private status = 0;
    /** Body bytes still to come; -1 while reading the head, -2 reading chunk sizes, -3 until close. */
    private remaining = -1;
    private chunked = false;
    private keepAlive = true;
    private closed = false;

    constructor(readonly origin: Origin) {
      origin.open += 1;
      this.socket = origin.connect();
      this.socket.setNoDelay(true);
      this.socket.on("data", (chunk: Buffer) => this.read(chunk));
      this.socket.on("error", (error) => this.fail(error));
      this.socket.on("close", () => this.fail(new Error("the connection closed before the answer")));
    }

    send(pending: Pending) {
      this.current = pending;
      this.deadline = Date.now() + options.timeoutMs;
      this.status = 0;
      this.remaining = -1;
      this.chunked = false;
      busy.add(this);
      sweeper ??= setInterval(sweep, 1_000).unref();
      this.socket.write(pending.head + pending.json);
    }

    fail(error: Error) {
      if (this.closed) return;
      // An answer delimited by the end of the connection ends here.
      if (this.remaining === -3 && this.current && !(error as NodeJS.ErrnoException).code) return this.finish();
      this.closed = true;
      this.origin.open -= 1;
      busy.delete(this);
      const idleAt = this.origin.idle.indexOf(this);
      if (idleAt !== -1) this.origin.idle.splice(idleAt, 1);
      this.socket.destroy();
      const current = this.current;
      this.current = undefined;
      current?.reject(error);
      // A callback queued behind a full origin gets a connection of its own.
      const next = this.origin.queue.shift();
      if (next) dispatch(this.origin, next);
    }

    private read(chunk: Buffer) {
      let data = this.buffered ? Buffer.concat([this.buffered, chunk]) : chunk;
      this.buffered = undefined;
      if (!this.current) return this.fail(new Error("data on an idle callback connection"));
      while (data.length > 0 || this.remaining === 0) {
        if (this.remaining === -1) {
          const end = data.indexOf(crlfCrlf);
          if (end === -1) {
            if (data.length > maxHeadBytes) return this.fail(new Error("callback answer head too large"));
            this.buffered = data;
            return;
          }
          if (!this.head(data.toString("latin1", 0, end))) return;
          data = data.subarray(end + 4);
        } else if (this.remaining === -2) {
          const lineEnd = data.indexOf("\r\n");
          if (lineEnd === -1) {
            this.buffered = data;
            return;
          }
          const size = Number.parseInt(data.toString("latin1", 0, lineEnd), 16);
          if (!Number.isFinite(size) || size < 0) return this.fail(new Error("bad chunk size in callback answer"));
          data = data.subarray(lineEnd + 2);
          if (size === 0) {
            // Trailers, if any, up to the empty line.
            const end = data.indexOf("\r\n") === 0 ? 0 : data.indexOf(crlfCrlf);
            if (end === -1) {
              this.buffered = Buffer.concat([lastChunk, data]);
              return;
            }
            data = data.subarray(end === 0 ? 2 : end + 4);
            this.remaining = 0;
          } else {
            this.remaining = size + 2; // the chunk and its CRLF
          }
        } else if (this.remaining === -3) {
          return; // read until the server closes
        } else if (this.remaining > 0) {
          const taken = Math.min(this.remaining, data.length);
          this.remaining -= taken;
          data = data.subarray(taken);
          if (this.remaining === 0 && this.chunked) this.remaining = -2;
        } else {
          if (data.length > 0) return this.fail(new Error("data after the callback answer"));
          return this.finish();
        }
      }
    }

    /** Parses a response head; false when the connection failed. */
    private head(head: string): boolean {
      if (!head.startsWith("HTTP/1.")) {
        this.fail(new Error("not an HTTP/1 answer to a callback"));
        return false;
      }
      const status = Number(head.slice(9, 12));
      // An interim answer (100 Continue): the real one follows.
      if (status >= 100 && status < 200) return true;
      this.status = status;
      const lower = head.toLowerCase();
      const connection = headerValue(lower, "connection");
      this.keepAlive = head[7] === "1" ? connection !== "close" : connection === "keep-alive";
      const hint = /(?:^|[\s,])timeout=(\d+)/.exec(headerValue(lower, "keep-alive") ?? "");
      if (hint) this.idleLimitMs = Number(hint[1]) * 1000 - 1000;
      if (status === 204 || status === 304) this.remaining = 0;
      else if (headerValue(lower, "transfer-encoding")?.endsWith("chunked")) {
        this.chunked = true;
        this.remaining = -2;
      } else {
        const length = headerValue(lower, "content-length");
        if (length === undefined) {
          this.keepAlive = false;
          this.remaining = -3;
        } else {
          const bytes = Number(length);
          if (!Number.isSafeInteger(bytes) || bytes < 0) {
            this.fail(new Error("bad Content-Length in callback answer"));
            return false;
          }
          this.remaining = bytes;
        }
      }
      return true;
    }

    private finish() {
      const current = this.current!;
      this.current = undefined;
      busy.delete(this);
      current.resolve(this.status);
      if (!this.keepAlive || closedWith) {
        this.remaining = -1;
        this.fail(new Error("connection closed after the answer"));
        return;
      }
      const next = this.origin.queue.shift();
      if (next) this.send(next);
      else {
        this.reusableUntil = Date.now() + this.idleLimitMs;
        this.origin.idle.push(this);
      }
    }
  }

  return {
    post(target, json) {
      return new Promise<number>((resolve, reject) => {
        if (closedWith) return reject(closedWith);
        const host = target.hostname.includes(":") ? `[${target.hostname}]` : target.hostname;
        const authorization = target.auth ? `Authorization: Basic ${Buffer.from(target.auth).toString("base64")}\r\n` : "";
        const head =
          `POST ${target.path} HTTP/1.1\r\nHost: ${host}${target.port ? `:${target.port}` : ""}\r\n${authorization}` +
          `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\nConnection: keep-alive\r\n\r\n`;
        dispatch(originOf(target), { head, json, resolve, reject });
      });
    },
    close(error) {
      closedWith = error;
      for (const origin of origins.values()) {
        for (const pending of origin.queue.splice(0)) pending.reject(error);
        for (const connection of [...origin.idle]) connection.fail(error);
      }
      for (const connection of [...busy]) connection.fail(error);
      if (sweeper) clearInterval(sweeper);
    },
  };
}

/** A header's value in a lower-cased response head, or undefined. */
function headerValue(lowerHead: string, name: string): string | undefined {
  const at = lowerHead.indexOf(`\r\n${name}:`);
  if (at === -1) return undefined;
  const start = at + name.length + 3;
  const end = lowerHead.indexOf("\r\n", start);
  return lowerHead.slice(start, end === -1 ? undefined : end).trim();
}
