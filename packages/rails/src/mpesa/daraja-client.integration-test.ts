import { startDarajaSandbox, type DarajaSandbox } from "@agrinet/daraja-sandbox";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DarajaCollections, type DarajaCollectionsOptions } from "./daraja-collections";

// B2C and collections share one Daraja client (token, 401 retry, answers, failures). B2C's
// integration test covers it through payouts; this one through collections, on the real sandbox.
let sandbox: DarajaSandbox;

beforeAll(async () => {
  sandbox = await startDarajaSandbox({ stkPasskey: "client-passkey", stkPinDelayMs: 10_000, consumerKey: "sandbox-key", consumerSecret: "sandbox-secret" });
});
afterAll(async () => {
  await sandbox?.stop();
});

function collections(overrides: Partial<DarajaCollectionsOptions> = {}) {
  return new DarajaCollections({
    baseUrl: sandbox.url,
    consumerKey: "sandbox-key",
    consumerSecret: "sandbox-secret",
    stkShortcode: "174379",
    stkPasskey: "client-passkey",
    c2bShortcode: "600996",
    callbackBaseUrl: "http://127.0.0.1:9/payments/mpesa",
    c2bCallbackBaseUrl: "http://127.0.0.1:9/payments/paybill",
    callbackToken: "client-token",
    ...overrides,
  });
}

const push = (i: number) => ({
  depositId: `dep_client_${i}`,
  amount: 10_000n,
  currency: "KES",
  phoneNumber: `+2547400000${String(i).padStart(2, "0")}`,
  accountReference: `client${i}`,
  description: "test",
});

it("collections ask for one OAuth token for many requests, as payouts do", async () => {
  const before = sandbox.stats().oauthRequests;
  const client = collections();
  const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => client.stkPush(push(i))));
  expect(outcomes.every((outcome) => outcome.kind === "accepted")).toBe(true);
  expect(sandbox.stats().oauthRequests - before).toBe(1);
});

it("Daraja's refusal keeps its code; wrong credentials and no answer are told apart", async () => {
  expect(await collections({ stkPasskey: "wrong" }).stkPush(push(30))).toMatchObject({ kind: "refused", code: "MPESA_400.002.02" });
  expect(await collections({ consumerSecret: "wrong" }).stkPush(push(31))).toMatchObject({ kind: "unreachable", code: "MPESA_AUTH_FAILED" });
  // Port 9 (discard): nothing listens there.
  expect(await collections({ baseUrl: "http://127.0.0.1:9" }).stkQuery("ws_CO_x")).toMatchObject({ kind: "error", code: "MPESA_NETWORK_ERROR", message: expect.stringMatching(/^Daraja unreachable: /) });
  // A prompt still waiting for the payer's PIN: being processed, ask again later.
  const accepted = await collections().stkPush(push(32));
  expect(accepted.kind).toBe("accepted");
  if (accepted.kind === "accepted") expect(await collections().stkQuery(accepted.checkoutRequestId)).toMatchObject({ kind: "processing" });
});
