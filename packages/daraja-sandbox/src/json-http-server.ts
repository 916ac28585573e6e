import { createServer, type AddressInfo, type Socket } from "node:net";

export type JsonHttpRequest = {
  method: string;
  /** The request target as sent: path and query. */
  target: string;
  /** Header values by lower-case name; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
};

/** `json` is the body; `contentType` defaults to application/json. */
export type JsonHttpAnswer = { status: number; json: string; contentType?: string };

export type JsonHttpServer = {
  address: AddressInfo;
  /** Stops listening and cuts every connection. */
  close(): Promise<void>;
};

const maxHeadBytes = 16 * 1024;
const maxBodyBytes = 1024 * 1024;
const crlf = Buffer.from("\r\n");
const crlfCrlf = Buffer.from("\r\n\r\n");
const reasons: Record<number, string> = {
  200: "OK",
  400: "Bad Request",
  401: "Unauthorized",
  404: "Not Found",
  409: "Conflict",
  413: "Payload Too Large",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/**
 * A small HTTP/1.1 server for the sandbox's JSON endpoints, parsed and written by hand over
 * net sockets. Under a load test the sandbox shares the machine with the processes it stands in
 * for, and node:http (an IncomingMessage stream and a ServerResponse per request, a socket
 * timer re-armed on every read and write) cost more of its CPU than the sandbox's own work.
 * It reads a request (Content-Length or chunked body, `Expect: 100-continue`), calls `handle`
 * synchronously and writes the answer in one write; requests on one connection are answered in
 * order (pipelining included). Connections stay open unless the client says otherwise (HTTP/1.0
 * without keep-alive, `Connection: close`) and close after `keepAliveTimeoutMs` idle. A request
 * it cannot read gets a 400 (431, 413 for one too large) and the connection is closed.
 */
export async function startJsonHttpServer(options: {
  port: number;
  host: string;
  keepAliveTimeoutMs: number;
  handle(request: JsonHttpRequest): JsonHttpAnswer;
  /** The JSON body of the answer to a request that could not be read. */
  unreadable(status: number, message: string): string;
}): Promise<JsonHttpServer> {
  const connections = new Set<Connection>();

  class Connection {
    private buffered: Buffer | undefined;
    private request: JsonHttpRequest | undefined;
    private keepAlive = true;
    /** Body bytes still to come; -1 while reading a head, -2 reading a chunk size, -3 trailers. */
    private remaining = -1;
    private chunks: Buffer[] = [];
    private bodyBytes = 0;
    private chunked = false;
    private closing = false;
    lastActive = Date.now();
    busy = false;

    constructor(readonly socket: Socket) {
      socket.setNoDelay(true);
      socket.on("data", (chunk: Buffer) => this.read(chunk));
      socket.on("error", () => socket.destroy());
      socket.on("close", () => connections.delete(this));
    }

    private read(chunk: Buffer) {
      if (this.closing) return;
      this.lastActive = Date.now();
      let data = this.buffered ? Buffer.concat([this.buffered, chunk]) : chunk;
      this.buffered = undefined;
      while (!this.closing) {
        if (this.remaining === -1) {
          // Empty lines before a request line are allowed (RFC 9112 §2.2).
          while (data.length >= 2 && data[0] === 13 && data[1] === 10) data = data.subarray(2);
          if (data.length === 0) break;
          const end = data.indexOf(crlfCrlf);
          if (end === -1) {
            if (data.length > maxHeadBytes) return this.refuse(431, "Request header too large");
            this.buffered = data;
            this.busy = true;
            return;
          }
          if (end > maxHeadBytes) return this.refuse(431, "Request header too large");
          if (!this.head(data.toString("latin1", 0, end))) return;
          data = data.subarray(end + 4);
        } else if (this.remaining === -2 || this.remaining === -3) {
          const lineEnd = data.indexOf(crlf);
          if (lineEnd === -1) {
            if (data.length > maxHeadBytes) return this.refuse(400, "Bad Request - Invalid chunked body");
            this.buffered = data;
            return;
          }
          const line = data.toString("latin1", 0, lineEnd);
          data = data.subarray(lineEnd + 2);
          if (this.remaining === -3) {
            if (line === "") this.remaining = 0; // the end of the trailers
            continue;
          }
          const size = /^[0-9a-fA-F]+/.exec(line);
          if (!size) return this.refuse(400, "Bad Request - Invalid chunked body");
          const bytes = Number.parseInt(size[0], 16);
          if (this.bodyBytes + bytes > maxBodyBytes) return this.refuse(413, "Request body too large");
          this.remaining = bytes === 0 ? -3 : bytes;
        } else if (this.remaining > 0) {
          if (data.length === 0) break;
          const taken = Math.min(this.remaining, data.length);
          this.chunks.push(data.subarray(0, taken));
          this.bodyBytes += taken;
          this.remaining -= taken;
          data = data.subarray(taken);
          if (this.remaining === 0 && this.chunked) {
            // Each chunk's data ends with CRLF.
            if (data.length < 2) {
              this.remaining = -4;
              continue;
            }
            if (data[0] !== 13 || data[1] !== 10) return this.refuse(400, "Bad Request - Invalid chunked body");
            data = data.subarray(2);
            this.remaining = -2;
          }
        } else if (this.remaining === -4) {
          if (data.length < 2) break;
          if (data[0] !== 13 || data[1] !== 10) return this.refuse(400, "Bad Request - Invalid chunked body");
          data = data.subarray(2);
          this.remaining = -2;
        } else {
          this.answer();
        }
      }
      if (data.length > 0) this.buffered = data;
    }

    /** Parses a request head; false when the connection is being refused. */
    private head(head: string): boolean {
      this.busy = true;
      const lineEnd = head.indexOf("\r\n");
      const requestLine = lineEnd === -1 ? head : head.slice(0, lineEnd);
      const match = /^([A-Z]+) (\S+) HTTP\/1\.([01])$/.exec(requestLine);
      if (!match) {
        this.refuse(400, "Bad Request - Invalid request line");
        return false;
      }
      const headers: Record<string, string> = {};
      let at = lineEnd;
      while (at !== -1) {
        const next = head.indexOf("\r\n", at + 2);
        const line = head.slice(at + 2, next === -1 ? undefined : next);
        at = next;
        const colon = line.indexOf(":");
        if (colon <= 0 || line[0] === " " || line[0] === "\t") {
          this.refuse(400, "Bad Request - Invalid header");
          return false;
        }
        const name = line.slice(0, colon).trimEnd().toLowerCase();
        const value = line.slice(colon + 1).trim();
        headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
      }
      const connection = headers.connection?.toLowerCase();
      this.keepAlive = match[3] === "1" ? !connection?.includes("close") : Boolean(connection?.includes("keep-alive"));
      this.request = { method: match[1]!, target: match[2]!, headers, body: Buffer.alloc(0) };
      this.chunks = [];
      this.bodyBytes = 0;
      const transferEncoding = headers["transfer-encoding"];
      if (transferEncoding !== undefined) {
        if (!transferEncoding.toLowerCase().endsWith("chunked") || headers["content-length"] !== undefined) {
          this.refuse(400, "Bad Request - Invalid Transfer-Encoding");
          return false;
        }
        this.chunked = true;
        this.remaining = -2;
      } else {
        this.chunked = false;
        const length = headers["content-length"];
        const bytes = length === undefined ? 0 : /^\d+$/.test(length) ? Number(length) : Number.NaN;
        if (!Number.isSafeInteger(bytes)) {
          this.refuse(400, "Bad Request - Invalid Content-Length");
          return false;
        }
        if (bytes > maxBodyBytes) {
          this.refuse(413, "Request body too large");
          return false;
        }
        this.remaining = bytes;
      }
      if (this.remaining !== 0 && headers.expect?.toLowerCase() === "100-continue") {
        this.socket.write("HTTP/1.1 100 Continue\r\n\r\n");
      }
      return true;
    }

    private answer() {
      const request = this.request!;
      request.body = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
      this.request = undefined;
      this.chunks = [];
      this.remaining = -1;
      this.busy = false;
      let answer: JsonHttpAnswer;
      try {
        answer = options.handle(request);
      } catch (error) {
        answer = { status: 500, json: options.unreadable(500, String(error)) };
      }
      this.write(
        answer.status,
        request.method === "HEAD" ? "" : answer.json,
        Buffer.byteLength(answer.json),
        answer.contentType,
      );
      if (!this.keepAlive) this.end();
    }

    private refuse(status: number, message: string) {
      this.keepAlive = false;
      this.write(status, options.unreadable(status, message));
      this.end();
    }

    /** `length` differs from the body's only for HEAD, which gets the length and no body. */
    private write(status: number, body: string, length = Buffer.byteLength(body), contentType = "application/json") {
      this.socket.write(
        `HTTP/1.1 ${status} ${reasons[status] ?? "Unknown"}\r\nContent-Type: ${contentType}\r\n` +
          `Content-Length: ${length}\r\nConnection: ${this.keepAlive ? "keep-alive" : "close"}\r\n\r\n${body}`,
      );
    }

    end() {
      this.closing = true;
      this.buffered = undefined;
      this.socket.end();
    }
  }

  const server = createServer((socket) => {
    connections.add(new Connection(socket));
  });
  // Idle connections are closed by one sweep rather than a timer per socket.
  const sweeper = setInterval(
    () => {
      const idleSince = Date.now() - options.keepAliveTimeoutMs;
      for (const connection of connections) {
        if (!connection.busy && connection.lastActive < idleSince) {
          connections.delete(connection);
          connection.end();
        }
      }
    },
    Math.min(1_000, options.keepAliveTimeoutMs),
  ).unref();

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    address: server.address() as AddressInfo,
    async close() {
      clearInterval(sweeper);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const connection of connections) connection.socket.destroy();
      connections.clear();
      await closed;
    },
  };
}
