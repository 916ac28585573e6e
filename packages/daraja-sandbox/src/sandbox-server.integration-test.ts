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
});
