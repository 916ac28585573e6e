import { describe, expect, test } from "vitest";
import { DarajaCollections } from "./daraja-collections";

const options = {
  baseUrl: "http://daraja.test",
  consumerKey: "key",
  consumerSecret: "secret",
  stkShortcode: "174379",
  stkPasskey: "passkey",
  c2bShortcode: "600000",
  callbackBaseUrl: "https://api.example.com/payments/mpesa/",
  c2bCallbackBaseUrl: "https://api.example.com/payments/paybill",
  callbackToken: "tok en+/=",
};

describe("DarajaCollections", () => {
  test("the STK callback URL is what URLSearchParams writes, for a deposit id and for anything else", () => {
    const client = new DarajaCollections(options);
    // Twice: the second call uses the prefix the first one encoded.
    for (const depositId of ["dep_0193aabbccdd112233445566", "dep_0193aabbccdd112233445566", "odd id&x=1", "ünï"]) {
      const expected = `https://api.example.com/payments/mpesa/stk/callback?${new URLSearchParams({ token: "tok en+/=", depositId }).toString()}`;
      expect(client.stkCallbackUrl(depositId)).toBe(expected);
    }
  });

  test("the STK password is base64(shortcode + passkey + timestamp) of the current second, East Africa Time", async () => {
    let now = Date.UTC(2026, 11, 7, 9, 0, 0, 400);
    const sent: Array<Record<string, unknown>> = [];
    const client = new DarajaCollections({
      ...options,
      now: () => now,
      fetch: (async (url: string, init: RequestInit) => {
        if (url.includes("/oauth/")) return new Response(JSON.stringify({ access_token: "a", expires_in: "3599" }));
        sent.push(JSON.parse(String(init.body)) as Record<string, unknown>);
        return new Response(JSON.stringify({ ResponseCode: "0", ResultCode: "0", ResultDesc: "ok" }));
      }) as typeof fetch,
    });
    await client.stkQuery("ws_CO_1");
    now += 300; // same second
    await client.stkQuery("ws_CO_2");
    now += 1_000; // the next one
    await client.stkQuery("ws_CO_3");
    expect(sent.map((body) => body.Timestamp)).toEqual(["20261207120000", "20261207120000", "20261207120001"]);
    for (const body of sent) {
      expect(Buffer.from(String(body.Password), "base64").toString()).toBe(`174379passkey${String(body.Timestamp)}`);
    }
  });
});
