import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDarajaSandbox, type DarajaSandbox } from "./sandbox-server";

let sandbox: DarajaSandbox;
let receiver: Server;
let receiverUrl: string;
const received: Array<{ path: string; body: Record<string, unknown> }> = [];
let validationAnswer: Record<string, unknown> = { ResultCode: "0", ResultDesc: "Accepted" };

const readBody = (request: IncomingMessage) =>
  new Promise<Record<string, unknown>>((resolve) => {
    let text = "";
    request.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
    request.on("end", () => resolve(JSON.parse(text || "{}") as Record<string, unknown>));
  });

beforeAll(async () => {
  sandbox = await startDarajaSandbox({ consumerKey: "key", consumerSecret: "secret", stkPasskey: "passkey", slowCallbackDelayMs: 300 });
  receiver = createServer((request, response) => {
    void readBody(request).then((body) => {
      received.push({ path: request.url!, body });
      response.setHeader("content-type", "application/json");
      response.end(JSON.stringify(request.url!.startsWith("/validate") ? validationAnswer : { ResultCode: 0, ResultDesc: "Accepted" }));
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await sandbox.stop();
  await new Promise((resolve) => receiver.close(resolve));
});

async function token() {
  const response = await fetch(`${sandbox.url}/oauth/v1/generate?grant_type=client_credentials`, {
    headers: { authorization: `Basic ${Buffer.from("key:secret").toString("base64")}` },
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

async function post(path: string, body: Record<string, unknown>) {
  const response = await fetch(`${sandbox.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${await token()}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const timestamp = "20261207120000";
const stkAuth = { BusinessShortCode: "174379", Timestamp: timestamp, Password: Buffer.from(`174379passkey${timestamp}`).toString("base64") };
const push = (phone: string, amount = 100) =>
  post("/mpesa/stkpush/v1/processrequest", {
    ...stkAuth,
    TransactionType: "CustomerPayBillOnline",
    Amount: amount,
    PartyA: phone,
    PartyB: "174379",
    PhoneNumber: phone,
    CallBackURL: `${receiverUrl}/stk?token=t`,
    AccountReference: "ACC1",
    TransactionDesc: "Deposit",
  });

async function until<T>(read: () => T | undefined, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const stkCallbacksFor = (checkoutRequestId: unknown) =>
  received.filter((r) => (r.body.Body as { stkCallback?: { CheckoutRequestID?: string } } | undefined)?.stkCallback?.CheckoutRequestID === checkoutRequestId);

describe("STK Push and Query", () => {
  it("refuses a password that is not base64(shortcode + passkey + timestamp)", async () => {
    const answer = await post("/mpesa/stkpushquery/v1/query", { ...stkAuth, Password: "bm9wZQ==", CheckoutRequestID: "x" });
    expect(answer).toMatchObject({ status: 400, body: { errorCode: "400.002.02" } });
  });

  it("pays a normal number: accepted, callback with the receipt, the query says 0", async () => {
    const answer = await push("254712345678");
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ ResponseCode: "0", CheckoutRequestID: expect.stringMatching(/^ws_CO_/) });
    const [callback] = await until(() => {
      const found = stkCallbacksFor(answer.body.CheckoutRequestID);
      return found.length ? found : undefined;
    });
    const stk = (callback!.body.Body as { stkCallback: Record<string, unknown> }).stkCallback;
    expect(stk.ResultCode).toBe(0);
    const items = (stk.CallbackMetadata as { Item: Array<{ Name: string; Value?: unknown }> }).Item;
    const receipt = items.find((i) => i.Name === "MpesaReceiptNumber")!.Value;
    expect(items.find((i) => i.Name === "Amount")!.Value).toBe(100);
    const query = await post("/mpesa/stkpushquery/v1/query", { ...stkAuth, CheckoutRequestID: answer.body.CheckoutRequestID });
    expect(query.body).toMatchObject({ ResultCode: "0" });
    expect(sandbox.stkPayments().find((p) => p.checkoutRequestId === answer.body.CheckoutRequestID)).toMatchObject({ receipt, paidAmount: 100 });
  });

  it.each([
    ["254700000011", 1032],
    ["254700000012", 2001],
    ["254700000013", 1037],
    ["254700000014", 1],
  ])("%s ends with result code %i and no metadata", async (phone, code) => {
    const answer = await push(phone);
    const [callback] = await until(() => {
      const found = stkCallbacksFor(answer.body.CheckoutRequestID);
      return found.length ? found : undefined;
    });
    const stk = (callback!.body.Body as { stkCallback: Record<string, unknown> }).stkCallback;
    expect(stk.ResultCode).toBe(code);
    expect(stk.CallbackMetadata).toBeUndefined();
  });

  it("no-callback pays silently (only the query tells), duplicate sends twice, different amount pays less", async () => {
    const silent = await push("254700000015");
    const duplicate = await push("254700000016");
    const different = await push("254700000018", 500);
    await until(() => (stkCallbacksFor(duplicate.body.CheckoutRequestID).length === 2 ? true : undefined));
    await until(() => (stkCallbacksFor(different.body.CheckoutRequestID).length ? true : undefined));
    expect(stkCallbacksFor(silent.body.CheckoutRequestID)).toHaveLength(0);
    const query = await post("/mpesa/stkpushquery/v1/query", { ...stkAuth, CheckoutRequestID: silent.body.CheckoutRequestID });
    expect(query.body).toMatchObject({ ResultCode: "0" });
    expect(sandbox.stkPayments().find((p) => p.checkoutRequestId === different.body.CheckoutRequestID)!.paidAmount).toBe(499);
  });
});

describe("C2B and reversal", () => {
  it("refuses URLs with Daraja's forbidden words, registers others", async () => {
    const refused = await post("/mpesa/c2b/v1/registerurl", {
      ShortCode: "600996",
      ResponseType: "Completed",
      ConfirmationURL: `${receiverUrl}/payments/mpesa/confirm`,
      ValidationURL: `${receiverUrl}/validate`,
    });
    expect(refused.status).toBe(400);
    const ok = await post("/mpesa/c2b/v1/registerurl", {
      ShortCode: "600996",
      ResponseType: "Completed",
      ConfirmationURL: `${receiverUrl}/confirm`,
      ValidationURL: `${receiverUrl}/validate`,
    });
    expect(ok).toMatchObject({ status: 200, body: { ResponseCode: "0" } });
  });

  it("simulate asks validation, then confirms; a rejected payment is never confirmed; a reversal returns it once", async () => {
    validationAnswer = { ResultCode: "0", ResultDesc: "Accepted" };
    const simulate = (ref: string) =>
      post("/mpesa/c2b/v1/simulate", { ShortCode: "600996", CommandID: "CustomerPayBillOnline", Amount: 250, Msisdn: "254712345678", BillRefNumber: ref });
    expect((await simulate("GOOD")).body).toMatchObject({ ResponseCode: "0" });
    const confirmation = await until(() => received.find((r) => r.path === "/confirm" && r.body.BillRefNumber === "GOOD"));
    expect(received.find((r) => r.path === "/validate" && r.body.BillRefNumber === "GOOD")!.body.TransID).toBe(confirmation.body.TransID);

    validationAnswer = { ResultCode: "C2B00012", ResultDesc: "Rejected" };
    await simulate("BAD");
    await until(() => sandbox.c2bPayments().find((p) => p.billRefNumber === "BAD"));
    expect(sandbox.c2bPayments().find((p) => p.billRefNumber === "BAD")).toMatchObject({ state: "rejected", validationResultCode: "C2B00012" });
    expect(received.find((r) => r.path === "/confirm" && r.body.BillRefNumber === "BAD")).toBeUndefined();

    const reverse = () =>
      post("/mpesa/reversal/v1/request", {
        Initiator: "i",
        SecurityCredential: "c",
        CommandID: "TransactionReversal",
        TransactionID: confirmation.body.TransID,
        Amount: 250,
        ReceiverParty: "600996",
        RecieverIdentifierType: "11",
        ResultURL: `${receiverUrl}/reversal`,
        QueueTimeOutURL: `${receiverUrl}/reversal-timeout`,
        Remarks: "return",
      });
    expect((await reverse()).body).toMatchObject({ ResponseCode: "0" });
    await reverse();
    const results = await until(() => {
      const found = received.filter((r) => r.path === "/reversal");
      return found.length === 2 ? found : undefined;
    });
    expect(results.map((r) => (r.body.Result as { ResultCode: unknown }).ResultCode)).toEqual([0, "R000001"]);
  });
});
