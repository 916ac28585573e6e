import { request as httpRequest, Agent } from "node:http";
import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { startJsonHttpServer, type JsonHttpRequest, type JsonHttpServer } from "./json-http-server";

let server: JsonHttpServer | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await server?.close();
  server = undefined;
});

/** Echoes what it read: method, target, the headers a test names, the body. */
async function echoServer(keepAliveTimeoutMs = 30_000) {
  const seen: JsonHttpRequest[] = [];
  server = await startJsonHttpServer({
    port: 0,
    host: "127.0.0.1",
    keepAliveTimeoutMs,
    handle: (request) => {
      seen.push(request);
      if (request.target === "/boom") throw new Error("boom");
      return {
        status: request.target === "/missing" ? 404 : 200,
        json: JSON.stringify({ method: request.method, target: request.target, auth: request.headers.authorization ?? null, body: request.body.toString("utf8") }),
      };
    },
    unreadable: (status, message) => JSON.stringify({ status, message }),
  });
  return { seen, port: server.address.port };
}

/** Sends `pieces` (written one by one) on one connection and reads until the server closes or `until` matches. */
async function exchange(port: number, pieces: Array<string | Buffer>, until?: (received: string) => boolean): Promise<string> {
  const socket = connect({ port, host: "127.0.0.1" });
  sockets.push(socket);
  socket.setNoDelay(true);
  let received = "";
  const done = new Promise<string>((resolve) => {
    socket.on("data", (chunk) => {
      received += chunk.toString("utf8");
      if (until?.(received)) resolve(received);
    });
    socket.on("close", () => resolve(received));
    socket.on("error", () => resolve(received));
  });
  for (const piece of pieces) {
    socket.write(piece);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return done;
}

const answers = (text: string) => text.split(/(?=HTTP\/1\.1 )/).map((answer) => ({ status: Number(answer.slice(9, 12)), head: answer.slice(0, answer.indexOf("\r\n\r\n")), body: answer.slice(answer.indexOf("\r\n\r\n") + 4) }));

describe("JSON HTTP server", () => {
  it("answers node:http clients over keep-alive, with the JSON body, its length and type", async () => {
    const { port } = await echoServer();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const post = (body: string) =>
      new Promise<{ status: number; type: string | undefined; body: string }>((resolve, reject) => {
        const outgoing = httpRequest({ host: "127.0.0.1", port, path: "/mpesa/b2c/v3/paymentrequest?x=1", method: "POST", agent, headers: { authorization: "Bearer t", "content-type": "application/json" } }, (response) => {
          let text = "";
          response.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
          response.on("end", () => resolve({ status: response.statusCode!, type: response.headers["content-type"], body: text }));
        });
        outgoing.on("error", reject);
        outgoing.end(body);
      });
    for (const body of ['{"Amount":10}', '{"Remarks":"Malipo — asante"}']) {
      expect(await post(body)).toEqual({ status: 200, type: "application/json", body: JSON.stringify({ method: "POST", target: "/mpesa/b2c/v3/paymentrequest?x=1", auth: "Bearer t", body }) });
    }
    agent.destroy();
  });

  it("reads requests split anywhere, chunked bodies with trailers, 100-continue, and pipelined requests in order", async () => {
    const { port } = await echoServer();
    const pipelined = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n" + "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}" + "GET /missing HTTP/1.1\r\nHost: x\r\n\r\n";
    for (const pieceBytes of [1, 5, pipelined.length]) {
      const pieces = Array.from({ length: Math.ceil(pipelined.length / pieceBytes) }, (_, i) => pipelined.slice(i * pieceBytes, (i + 1) * pieceBytes));
      const received = answers(await exchange(port, pieces, (text) => text.split("HTTP/1.1 ").length === 4));
      expect(received.map((a) => [a.status, JSON.parse(a.body).target])).toEqual([[200, "/a"], [200, "/b"], [404, "/missing"]]);
    }

    const chunked = await exchange(
      port,
      ["POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", "4\r\n{\"a\"\r\n", "3;ext\r\n:1}\r\n", "0\r\nX-Trailer: 1\r\n\r\n"],
      (text) => text.endsWith("}"),
    );
    expect(JSON.parse(answers(chunked)[0]!.body)).toMatchObject({ target: "/c", body: '{"a":1}' });

    const expecting = await exchange(port, ["POST /e HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n", "{}"], (text) => text.endsWith("}"));
    expect(expecting.startsWith("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n")).toBe(true);
  });

  it("closes after answering when the client asks, or speaks HTTP/1.0 without keep-alive; HEAD gets no body", async () => {
    const { port } = await echoServer();
    const closing = answers(await exchange(port, ["GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"]));
    expect(closing).toHaveLength(1);
    expect(closing[0]!.head).toContain("Connection: close");
    const old = answers(await exchange(port, ["GET /a HTTP/1.0\r\n\r\n"]));
    expect(old.map((a) => a.status)).toEqual([200]);
    const head = await exchange(port, ["HEAD /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"]);
    expect(head.endsWith("\r\n\r\n")).toBe(true);
    expect(head).toMatch(/Content-Length: [1-9]\d*\r\n/);
  });

  it("refuses what it cannot read with 400, 413 or 431 and closes; a failing handler gets a 500 and the connection lives", async () => {
    const { seen, port } = await echoServer();
    for (const [request, status] of [
      ["NOT HTTP\r\n\r\n", 400],
      ["POST /a HTTP/1.1\r\nContent-Length: ten\r\n\r\n", 400],
      ["POST /a HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 400],
      ["POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400],
      ["POST /a HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n", 413],
      [`GET /a HTTP/1.1\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`, 431],
    ] as const) {
      const received = answers(await exchange(port, [request]));
      expect(received.map((a) => a.status)).toEqual([status]);
      expect(received[0]!.head).toContain("Connection: close");
    }
    expect(seen).toEqual([]);
    const failing = answers(await exchange(port, ["GET /boom HTTP/1.1\r\n\r\n", "GET /a HTTP/1.1\r\n\r\n"], (text) => text.split("HTTP/1.1 ").length === 3));
    expect(failing.map((a) => a.status)).toEqual([500, 200]);
  });

  it("closes a connection left idle for the keep-alive timeout", async () => {
    const { port } = await echoServer(50);
    const received = answers(await exchange(port, ["GET /a HTTP/1.1\r\n\r\n"]));
    expect(received.map((a) => a.status)).toEqual([200]);
  });
});
