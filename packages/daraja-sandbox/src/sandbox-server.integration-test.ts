import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { outcomeForNumber } from "./outcomes";
import { startDarajaSandbox, type DarajaSandbox } from "./sandbox-server";

let sandbox: DarajaSandbox;
beforeAll(async () => {
  sandbox = await startDarajaSandbox({ consumerKey: "key", consumerSecret: "secret", tokenTtlSeconds: 120 });
});
afterAll(async () => {
  await sandbox.stop();
});

const basic = (key: string, secret: string) => `Basic ${Buffer.from(`${key}:${secret}`).toString("base64")}`;

describe("Daraja sandbox HTTP surface", () => {
  it("issues tokens only for the configured credentials and grant type, with expires_in as Daraja does", async () => {
    const ok = await fetch(`${sandbox.url}/oauth/v1/generate?grant_type=client_credentials`, {
      headers: { authorization: basic("key", "secret") },
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ access_token: expect.any(String), expires_in: "120" });

    const wrong = await fetch(`${sandbox.url}/oauth/v1/generate?grant_type=client_credentials`, {
      headers: { authorization: basic("key", "nope") },
    });
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ errorCode: "400.008.01" });

    const grant = await fetch(`${sandbox.url}/oauth/v1/generate?grant_type=password`, {
      headers: { authorization: basic("key", "secret") },
    });
    expect(grant.status).toBe(400);
  });

  it("refuses B2C and status requests without a valid token", async () => {
    for (const path of ["/mpesa/b2c/v3/paymentrequest", "/mpesa/transactionstatus/v1/query"]) {
      const response = await fetch(`${sandbox.url}${path}`, {
        method: "POST",
        headers: { authorization: "Bearer forged", "content-type": "application/json" },
        body: "{}",
      });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ errorCode: "404.001.03", errorMessage: "Invalid Access Token" });
    }
  });

  it("names the invalid field of a B2C request", async () => {
    const token = (await (
      await fetch(`${sandbox.url}/oauth/v1/generate?grant_type=client_credentials`, { headers: { authorization: basic("key", "secret") } })
    ).json()) as { access_token: string };
    const response = await fetch(`${sandbox.url}/mpesa/b2c/v3/paymentrequest`, {
      method: "POST",
      headers: { authorization: `Bearer ${token.access_token}`, "content-type": "application/json" },
      body: JSON.stringify({
        OriginatorConversationID: "p1",
        InitiatorName: "api",
        SecurityCredential: "x",
        CommandID: "BusinessPayment",
        Amount: "10.5",
        PartyA: "600996",
        PartyB: "254708374149",
        ResultURL: "http://127.0.0.1:1/r",
        QueueTimeOutURL: "http://127.0.0.1:1/t",
      }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ errorMessage: "Bad Request - Invalid Amount" });
    expect(sandbox.payments()).toEqual([]);
  });

  it("chooses outcomes by the last nine digits, whatever the country code", () => {
    expect(outcomeForNumber("254700000001")).toBe("insufficient-float");
    expect(outcomeForNumber("+255700000003")).toBe("no-callback");
    expect(outcomeForNumber("256700000006")).toBe("transient");
    expect(outcomeForNumber("254708374149")).toBe("success");
  });

  it("answers what it cannot take with Daraja's error body: not JSON, unknown paths, too large", async () => {
    const token = await accessToken();
    const notJson = await fetch(`${sandbox.url}/mpesa/b2c/v3/paymentrequest`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "text/plain" },
      body: "{not json",
    });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ errorCode: "400.002.02", errorMessage: "Bad Request - Invalid JSON body" });

    const unknown = await fetch(`${sandbox.url}/mpesa/nothing/here?x=1`, { method: "POST", body: "{}" });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ errorCode: "404.001.01", errorMessage: "Resource not found: POST /mpesa/nothing/here" });

    const large = await fetch(`${sandbox.url}/mpesa/b2c/v3/paymentrequest`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ padding: "x".repeat(1024 * 1024) }),
    });
    expect(large.status).toBe(413);
    expect(await large.json()).toMatchObject({ errorCode: "413.001.01", requestId: expect.any(String) });
  });

  it("sends result callbacks with the URL's basic auth over at most 64 keep-alive connections per origin", async () => {
    const connections = new Set<Socket>();
    let open = 0;
    let mostOpen = 0;
    const callbacks: Array<{ authorization: string | undefined; contentType: string | undefined; body: string }> = [];
    // Answers are held until no callback has arrived for 300 ms, so every callback the sandbox
    // may send at once is on the wire together: the connections it opens show its cap.
    const held: Array<() => void> = [];
    let quiet: NodeJS.Timeout | undefined;
    const answer = (request: IncomingMessage, response: ServerResponse) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
      request.on("end", () => {
        held.push(() => {
          callbacks.push({ authorization: request.headers.authorization, contentType: request.headers["content-type"], body });
          response.setHeader("content-type", "application/json");
          response.end('{"ResultCode":0}');
        });
        clearTimeout(quiet);
        quiet = setTimeout(() => held.splice(0).forEach((release) => release()), 300);
      });
    };
    const receiver = createServer(answer);
    receiver.on("connection", (socket: Socket) => {
      connections.add(socket);
      mostOpen = Math.max(mostOpen, ++open);
      socket.on("close", () => open--);
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const { port } = receiver.address() as AddressInfo;
    try {
      const token = await accessToken();
      const payouts = Array.from({ length: 100 }, (_, i) => `callback-cap-${i}`);
      // All at once: the callbacks are due together and outnumber the connections allowed.
      await Promise.all(payouts.map(async (id) => {
        const response = await fetch(`${sandbox.url}/mpesa/b2c/v3/paymentrequest`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify({
            OriginatorConversationID: id,
            InitiatorName: "api",
            SecurityCredential: "x",
            CommandID: "BusinessPayment",
            Amount: 10,
            PartyA: "600996",
            PartyB: "254708374149",
            ResultURL: `http://daraja:s%3Acret@127.0.0.1:${port}/result?payout=${id}`,
            QueueTimeOutURL: `http://127.0.0.1:${port}/timeout`,
          }),
        });
        expect(response.status).toBe(200);
      }));
      await expect.poll(() => callbacks.length, { timeout: 15_000 }).toBe(100);
      expect(mostOpen).toBeLessThanOrEqual(64);
      expect(connections.size).toBeLessThanOrEqual(64);
      expect(new Set(callbacks.map((c) => c.authorization))).toEqual(new Set([`Basic ${Buffer.from("daraja:s:cret").toString("base64")}`]));
      expect(callbacks.every((c) => c.contentType === "application/json")).toBe(true);
      const paid = callbacks.map((c) => (JSON.parse(c.body) as { Result: { OriginatorConversationID: string; ResultCode: number } }).Result);
      expect(new Set(paid.map((r) => r.OriginatorConversationID))).toEqual(new Set(payouts));
      expect(paid.every((r) => r.ResultCode === 0)).toBe(true);
    } finally {
      receiver.closeAllConnections();
      await new Promise((resolve) => receiver.close(resolve));
    }
  });
});

async function accessToken(): Promise<string> {
  const response = await fetch(`${sandbox.url}/oauth/v1/generate?grant_type=client_credentials`, {
    headers: { authorization: basic("key", "secret") },
  });
  return ((await response.json()) as { access_token: string }).access_token;
}
