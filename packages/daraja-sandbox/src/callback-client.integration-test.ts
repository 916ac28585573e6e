import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createCallbackClient, type CallbackClient, type CallbackTarget } from "./callback-client";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function client(timeoutMs = 10_000): CallbackClient {
  const created = createCallbackClient({ timeoutMs });
  cleanups.push(() => created.close(new Error("test over")));
  return created;
}

async function listen<T extends Server | NetServer>(server: T): Promise<{ server: T; target(path: string, auth?: string): CallbackTarget; connections: number }> {
  const state = { server, connections: 0, target: (path: string, auth?: string) => ({ protocol: "http:", hostname: "127.0.0.1", port: String((server.address() as AddressInfo).port), path, auth }) };
  server.on("connection", (socket: Socket) => {
    state.connections += 1;
    cleanups.push(() => void socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return state;
}

type Received = { method: string; url: string; headers: IncomingMessage["headers"]; body: string };
function httpServer(answer: (request: Received, response: ServerResponse) => void) {
  const received: Received[] = [];
  const server = createHttpServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const entry = { method: request.method!, url: request.url!, headers: request.headers, body: Buffer.concat(chunks).toString("utf8") };
      received.push(entry);
      answer(entry, response);
    });
  });
  return { server, received };
}

/** A server that answers every request with `answer` written in pieces of `pieceBytes`. */
function rawServer(answer: string, pieceBytes = answer.length, after: (socket: Socket) => void = () => {}) {
  return createNetServer((socket) => {
    let seen = "";
    socket.on("data", (chunk) => {
      seen += chunk.toString("latin1");
      const headEnd = seen.indexOf("\r\n\r\n");
      if (headEnd === -1) return;
      const length = Number(/content-length: (\d+)/i.exec(seen)![1]);
      if (seen.length < headEnd + 4 + length) return;
      seen = seen.slice(headEnd + 4 + length);
      const bytes = Buffer.from(answer, "latin1");
      for (let at = 0; at < bytes.length; at += pieceBytes) socket.write(bytes.subarray(at, at + pieceBytes));
      after(socket);
    });
  });
}

describe("callback client", () => {
  it("POSTs the JSON body with its length, type, host and basic auth, and returns the status", async () => {
    const { server, received } = httpServer((_request, response) => {
      response.writeHead(202, { "content-type": "application/json" });
      response.end('{"ok":true}');
    });
    const { target } = await listen(server);
    const json = JSON.stringify({ Result: { ResultDesc: "Malipo yamekamilika — asante" } });
    expect(await client().post(target("/payments/mpesa/b2c/result?token=t%20k&payoutId=p1", "user:pa ss"), json)).toBe(202);
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request).toMatchObject({ method: "POST", url: "/payments/mpesa/b2c/result?token=t%20k&payoutId=p1", body: json });
    expect(request!.headers["content-type"]).toBe("application/json");
    expect(request!.headers["content-length"]).toBe(String(Buffer.byteLength(json)));
    expect(request!.headers.host).toBe(target("/").hostname + ":" + target("/").port);
    expect(request!.headers.authorization).toBe(`Basic ${Buffer.from("user:pa ss").toString("base64")}`);
  });

  it("reuses one keep-alive connection for callbacks one after another", async () => {
    const { server } = httpServer((_request, response) => response.end("{}"));
    const listening = await listen(server);
    const callbacks = client();
    for (let i = 0; i < 5; i += 1) expect(await callbacks.post(listening.target(`/r?i=${i}`), "{}")).toBe(200);
    expect(listening.connections).toBe(1);
  });

  it("opens at most 64 connections to one origin and queues the rest", async () => {
    const { server, received } = httpServer((_request, response) => setImmediate(() => response.end("{}")));
    const listening = await listen(server);
    const callbacks = client();
    const statuses = await Promise.all(Array.from({ length: 200 }, (_, i) => callbacks.post(listening.target(`/r?i=${i}`), `{"i":${i}}`)));
    expect(statuses).toEqual(Array.from({ length: 200 }, () => 200));
    expect(new Set(received.map((r) => r.body)).size).toBe(200);
    expect(listening.connections).toBeLessThanOrEqual(64);
  });

  it("finds the end of chunked answers (with trailers), answers closed by the server, and 204s, in any pieces", async () => {
    const answers = [
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n3;ext=1\r\nabc\r\n0\r\n\r\n",
      "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nok\r\n0\r\nX-Trailer: yes\r\n\r\n",
      "HTTP/1.1 204 No Content\r\n\r\n",
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}",
    ];
    for (const answer of answers) {
      for (const pieceBytes of [1, 7, answer.length]) {
        const listening = await listen(rawServer(answer, pieceBytes));
        const callbacks = client();
        const expected = Number(answer.slice(answer.lastIndexOf("HTTP/1.1 ") + 9, answer.lastIndexOf("HTTP/1.1 ") + 12));
        // Twice on the same connection: the first answer must end exactly where it ends.
        expect(await callbacks.post(listening.target("/r"), "{}")).toBe(expected);
        expect(await callbacks.post(listening.target("/r"), "{}")).toBe(expected);
        expect(listening.connections).toBe(1);
      }
    }
    const untilClose = await listen(rawServer("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nbody until the end", 4, (socket) => socket.end()));
    const callbacks = client();
    expect(await callbacks.post(untilClose.target("/r"), "{}")).toBe(200);
    expect(await callbacks.post(untilClose.target("/r"), "{}")).toBe(200);
    expect(untilClose.connections).toBe(2);

    const closing = await listen(rawServer("HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}"));
    expect(await callbacks.post(closing.target("/r"), "{}")).toBe(500);
    expect(await callbacks.post(closing.target("/r"), "{}")).toBe(500);
    expect(closing.connections).toBe(2);
  });

  it("rejects when the connection is refused, cut before the answer, or the answer is not HTTP", async () => {
    const refused = await listen(createNetServer());
    const port = refused.target("/").port;
    await new Promise<void>((resolve) => refused.server.close(() => resolve()));
    const callbacks = client();
    await expect(callbacks.post({ protocol: "http:", hostname: "127.0.0.1", port, path: "/r", auth: undefined }, "{}")).rejects.toThrow(/ECONNREFUSED/);

    const cut = await listen(createNetServer((socket) => socket.once("data", () => socket.destroy())));
    await expect(callbacks.post(cut.target("/r"), "{}")).rejects.toThrow();

    const garbage = await listen(rawServer("SSH-2.0-OpenSSH\r\n\r\n"));
    await expect(callbacks.post(garbage.target("/r"), "{}")).rejects.toThrow(/not an HTTP\/1 answer/);
  });

  it("counts a callback's timeout from when it is sent, not while it waits for a connection", async () => {
    // One connection, answers 600 ms after each request, a 1 s timeout: the second and third
    // callbacks wait 0.6 and 1.2 s for the connection, then are answered within 0.6 s of going out.
    const { server } = httpServer((_request, response) => setTimeout(() => response.end("{}"), 600));
    const listening = await listen(server);
    const callbacks = createCallbackClient({ timeoutMs: 1_000, maxSocketsPerOrigin: 1 });
    cleanups.push(() => callbacks.close(new Error("test over")));
    const statuses = await Promise.all([1, 2, 3].map((i) => callbacks.post(listening.target(`/r?i=${i}`), "{}")));
    expect(statuses).toEqual([200, 200, 200]);
    expect(listening.connections).toBe(1);
  });

  it("does not reuse a connection the server's Keep-Alive timeout is about to close", async () => {
    const hinted = await listen(rawServer("HTTP/1.1 200 OK\r\nKeep-Alive: timeout=1\r\nContent-Length: 2\r\n\r\n{}"));
    const callbacks = client();
    expect(await callbacks.post(hinted.target("/r"), "{}")).toBe(200);
    expect(await callbacks.post(hinted.target("/r"), "{}")).toBe(200);
    expect(hinted.connections).toBe(2);
    const lasting = await listen(rawServer("HTTP/1.1 200 OK\r\nKeep-Alive: timeout=5\r\nContent-Length: 2\r\n\r\n{}"));
    expect(await callbacks.post(lasting.target("/r"), "{}")).toBe(200);
    expect(await callbacks.post(lasting.target("/r"), "{}")).toBe(200);
    expect(lasting.connections).toBe(1);
  });

  it("times out a callback that gets no answer, and close() cuts off the ones on the wire", async () => {
    const silent = await listen(createNetServer(() => {}));
    await expect(client(50).post(silent.target("/r"), "{}")).rejects.toThrow(/timed out/);

    const callbacks = client();
    const onTheWire = callbacks.post(silent.target("/r"), "{}");
    callbacks.close(new Error("the sandbox is stopping"));
    await expect(onTheWire).rejects.toThrow("the sandbox is stopping");
    await expect(callbacks.post(silent.target("/r"), "{}")).rejects.toThrow("the sandbox is stopping");
  });
});
