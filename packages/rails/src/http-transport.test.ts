import net from "node:net";
import { afterEach, describe, expect, test } from "vitest";
import { createKeepAliveTransport } from "./http-transport";

type Peer = { url: string; requests: string[]; connections: number; close(): Promise<void> };

/** A loopback HTTP/1.1 peer that records the raw bytes of each request and answers `answer`. */
async function peer(answer: ((request: string) => string | null) = () => "HTTP/1.1 200 OK\r\ncontent-length: 11\r\ncontent-type: application/json\r\n\r\n{\"ok\":\"é\"}"): Promise<Peer> {
  const requests: string[] = [];
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("data", (data) => {
      const request = data.toString("utf8");
      requests.push(request);
      const response = answer(request);
      if (response !== null) socket.write(response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

let peers: Peer[] = [];
afterEach(async () => {
  await Promise.all(peers.map((p) => p.close()));
  peers = [];
});

describe("createKeepAliveTransport", () => {
  test("writes the request line, Host, the given headers, the body's byte length and keep-alive; reuses the connection", async () => {
    const server = await peer();
    peers.push(server);
    const transport = createKeepAliveTransport();
    const body = JSON.stringify({ Remarks: "café" });
    const answer = await transport(`${server.url}/mpesa/b2c/v3/paymentrequest?x=1`, {
      method: "POST",
      headers: { authorization: "Bearer t0k", "content-type": "application/json" },
      body,
      timeoutMs: 5_000,
    });
    expect(answer).toEqual({ status: 200, text: '{"ok":"é"}' });
    const host = new URL(server.url).host;
    expect(server.requests[0]).toBe(
      `POST /mpesa/b2c/v3/paymentrequest?x=1 HTTP/1.1\r\nhost: ${host}\r\nauthorization: Bearer t0k\r\ncontent-type: application/json\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\nConnection: keep-alive\r\n\r\n${body}`,
    );
    const get = await transport(`${server.url}/oauth/v1/generate?grant_type=client_credentials`, {
      method: "GET",
      headers: { authorization: "Basic a2V5OnNlY3JldA==" },
      timeoutMs: 5_000,
    });
    expect(get.status).toBe(200);
    expect(server.requests[1]).toBe(
      `GET /oauth/v1/generate?grant_type=client_credentials HTTP/1.1\r\nhost: ${host}\r\nauthorization: Basic a2V5OnNlY3JldA==\r\nConnection: keep-alive\r\n\r\n`,
    );
    expect(server.connections).toBe(1);
  });

  test("an answer in several chunks is read whole", async () => {
    const server = await peer(() => `HTTP/1.1 502 Bad Gateway\r\ntransfer-encoding: chunked\r\n\r\n3\r\n<h1\r\n2\r\n>x\r\n0\r\n\r\n`);
    peers.push(server);
    const answer = await createKeepAliveTransport()(`${server.url}/x`, { method: "POST", headers: {}, body: "{}", timeoutMs: 5_000 });
    expect(answer).toEqual({ status: 502, text: "<h1>x" });
  });

  test("a peer that never answers is given up after timeoutMs; header injection and URL credentials are refused", async () => {
    const server = await peer(() => null);
    peers.push(server);
    const transport = createKeepAliveTransport();
    await expect(transport(`${server.url}/slow`, { method: "POST", headers: {}, body: "{}", timeoutMs: 50 })).rejects.toThrow(/no answer within 50 ms/);
    await expect(
      transport(`${server.url}/x`, { method: "POST", headers: { authorization: "Bearer a\r\nx-injected: 1" }, body: "{}", timeoutMs: 1_000 }),
    ).rejects.toThrow();
    const withCredentials = server.url.replace("http://", "http://user:pass@");
    await expect(transport(`${withCredentials}/x`, { method: "GET", headers: {}, timeoutMs: 1_000 })).rejects.toThrow(/credentials/);
    expect(server.requests.filter((r) => r.includes("x-injected"))).toEqual([]);
  });
});
