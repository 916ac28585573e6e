import { randomUUID } from "node:crypto";
import { startDarajaSandbox, type DarajaSandbox } from "@agrinet/daraja-sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PayoutRequest } from "../payout-rail";
import { startCallbackReceiver, type ReceivedCallback } from "../testing/callback-receiver";
import { DarajaB2cRail, type DarajaB2cOptions } from "./daraja-b2c-rail";
import {
  checkDarajaB2cResult,
  darajaCallbackPaths,
  parseDarajaB2cResult,
  parseDarajaQueueTimeout,
  parseDarajaStatusResult,
  darajaCallbackTokenCheck,
} from "./daraja-callbacks";

const callbackToken = "callback-secret-token";
let sandbox: DarajaSandbox;
let receiver: Awaited<ReturnType<typeof startCallbackReceiver>>;

function railOptions(overrides: Partial<DarajaB2cOptions> = {}): DarajaB2cOptions {
  return {
    baseUrl: sandbox.url,
    consumerKey: "sandbox-key",
    consumerSecret: "sandbox-secret",
    shortcode: "600996",
    initiatorName: "agrinet-api",
    securityCredential: "encrypted-credential",
    callbackBaseUrl: `${receiver.url}/payments/mpesa`,
    callbackToken,
    ...overrides,
  };
}

function payout(phone: string, overrides: Partial<PayoutRequest> = {}): PayoutRequest {
  const payoutId = overrides.payoutId ?? randomUUID();
  return {
    payoutId,
    providerKey: payoutId,
    amount: 150_000n, // KES 1,500.00
    currency: "KES",
    destination: { type: "mpesa", account: phone },
    ...overrides,
  };
}

const b2cResultFor = (payoutId: string) => (c: ReceivedCallback) =>
  c.path === `/payments/mpesa${darajaCallbackPaths.b2cResult}` &&
  (c.body as { Result?: { OriginatorConversationID?: string } }).Result?.OriginatorConversationID === payoutId;

const statusResultFor = (payoutId: string) => (c: ReceivedCallback) =>
  c.path === `/payments/mpesa${darajaCallbackPaths.statusResult}` && c.query.get("key") === payoutId;

beforeAll(async () => {
  sandbox = await startDarajaSandbox({ consumerKey: "sandbox-key", consumerSecret: "sandbox-secret", slowCallbackDelayMs: 300 });
  receiver = await startCallbackReceiver();
});

afterAll(async () => {
  await sandbox.stop();
  await receiver.stop();
});

describe("Daraja B2C rail against the sandbox", () => {
  it("pays a normal number: accepted, then a verified success result with the receipt", async () => {
    const rail = new DarajaB2cRail(railOptions());
    const request = payout("+254708374149");

    const sent = await rail.send(request);
    expect(sent).toMatchObject({ kind: "pending-callback", providerReference: expect.stringMatching(/^AG_/) });

    const [callback] = await receiver.waitFor(b2cResultFor(request.payoutId));
    expect(darajaCallbackTokenCheck(callbackToken)(callback!.query.get("token"))).toBe(true);
    const result = parseDarajaB2cResult(callback!.body);
    const paid = sandbox.payments().find((p) => p.originatorConversationId === request.payoutId);
    expect(result.outcome).toEqual({ kind: "paid", providerReference: paid!.transactionId });
    expect(result.amount).toBe(1500);
    expect(paid).toMatchObject({ partyB: "254708374149", amount: 1500, partyA: "600996" });
    expect(
      checkDarajaB2cResult(result, {
        providerKey: request.providerKey,
        amount: request.amount,
        currency: "KES",
        conversationId: sent.kind === "pending-callback" ? sent.providerReference ?? null : null,
      }),
    ).toEqual({ ok: true });
  });

  it("reports insufficient float as a final failure and pays nothing", async () => {
    const rail = new DarajaB2cRail(railOptions());
    const request = payout("+254700000001");
    expect((await rail.send(request)).kind).toBe("pending-callback");
    const [callback] = await receiver.waitFor(b2cResultFor(request.payoutId));
    expect(parseDarajaB2cResult(callback!.body).outcome).toMatchObject({ kind: "failed-final", code: "MPESA_1" });
    expect(sandbox.payments().some((p) => p.originatorConversationId === request.payoutId)).toBe(false);
  });

  it("reports an invalid number as a final failure and pays nothing", async () => {
    const rail = new DarajaB2cRail(railOptions());
    const request = payout("+255700000002", { currency: "TZS" });
    expect((await rail.send(request)).kind).toBe("pending-callback");
    const [callback] = await receiver.waitFor(b2cResultFor(request.payoutId));
    expect(parseDarajaB2cResult(callback!.body).outcome).toMatchObject({ kind: "failed-final", code: "MPESA_2040" });
    expect(sandbox.payments().some((p) => p.originatorConversationId === request.payoutId)).toBe(false);
  });

  it("learns the no-callback number's result only through the status query", async () => {
    const rail = new DarajaB2cRail(railOptions());
    const request = payout("+254700000003");
    expect((await rail.send(request)).kind).toBe("pending-callback");

    expect(await rail.queryStatus(request.payoutId)).toMatchObject({ kind: "pending-callback" });
    const [statusCallback] = await receiver.waitFor(statusResultFor(request.payoutId));
    expect(darajaCallbackTokenCheck(callbackToken)(statusCallback!.query.get("token"))).toBe(true);
    const status = parseDarajaStatusResult(statusCallback!.body, statusCallback!.query.get("key")!);
    const paid = sandbox.payments().find((p) => p.originatorConversationId === request.payoutId);
    expect(status.status).toEqual({ kind: "paid", providerReference: paid!.transactionId });
    expect(status.amount).toBe(1500);
    expect(receiver.received().filter(b2cResultFor(request.payoutId))).toHaveLength(0);
  });

  it("answers a status query for a payout it never received with not-found", async () => {
    const rail = new DarajaB2cRail(railOptions());
    const payoutId = randomUUID();
    await rail.queryStatus(payoutId);
    const [callback] = await receiver.waitFor(statusResultFor(payoutId));
    expect(parseDarajaStatusResult(callback!.body, payoutId).status).toEqual({ kind: "not-found" });
  });

  it("reports a failed payout's status as the final failure", async () => {
    const rail = new DarajaB2cRail(railOptions());
    const request = payout("+254700000001");
    await rail.send(request);
    await rail.queryStatus(request.payoutId);
    const [callback] = await receiver.waitFor(statusResultFor(request.payoutId));
    expect(parseDarajaStatusResult(callback!.body, request.payoutId).status).toMatchObject({ kind: "failed-final", code: "MPESA_1" });
  });

  it("sends the duplicate-callback number's result twice, for one payment", async () => {
    const rail = new DarajaB2cRail(railOptions());
    const request = payout("+254700000004");
    await rail.send(request);
    const callbacks = await receiver.waitFor(b2cResultFor(request.payoutId), 2);
    const [first, second] = callbacks.map((c) => parseDarajaB2cResult(c.body));
    expect(first!.outcome).toEqual(second!.outcome);
    expect(first!.outcome.kind).toBe("paid");
    expect(sandbox.payments().filter((p) => p.originatorConversationId === request.payoutId)).toHaveLength(1);
  });

  it("delivers the slow number's result later", async () => {
    const rail = new DarajaB2cRail(railOptions());
    const request = payout("+254700000005");
    await rail.send(request);
    const [callback] = await receiver.waitFor(b2cResultFor(request.payoutId));
    expect(parseDarajaB2cResult(callback!.body).outcome.kind).toBe("paid");
  });

  it("answers the transient number with a retryable 503 first, then pays the retry once", async () => {
    const rail = new DarajaB2cRail(railOptions());
    const request = payout("+254700000006");
    expect(await rail.send(request)).toMatchObject({ kind: "retryable", code: "MPESA_503.001.01" });
    expect(sandbox.payments().some((p) => p.originatorConversationId === request.payoutId)).toBe(false);

    expect((await rail.send(request)).kind).toBe("pending-callback");
    const [callback] = await receiver.waitFor(b2cResultFor(request.payoutId));
    expect(parseDarajaB2cResult(callback!.body).outcome.kind).toBe("paid");
    expect(sandbox.payments().filter((p) => p.originatorConversationId === request.payoutId)).toHaveLength(1);
  });

  it("sends the queue-timeout number's first attempt to the QueueTimeOutURL as retryable", async () => {
    const rail = new DarajaB2cRail(railOptions());
    const request = payout("+254700000007");
    await rail.send(request);
    const [timeout] = await receiver.waitFor(
      (c) => c.path === `/payments/mpesa${darajaCallbackPaths.b2cQueueTimeout}`,
    );
    expect(darajaCallbackTokenCheck(callbackToken)(timeout!.query.get("token"))).toBe(true);
    expect(parseDarajaQueueTimeout(timeout!.body)).toMatchObject({
      payoutId: request.payoutId,
      outcome: { kind: "retryable", code: "MPESA_SFC_IC0003" },
    });
    expect(sandbox.payments().some((p) => p.originatorConversationId === request.payoutId)).toBe(false);

    await rail.send(request);
    const [callback] = await receiver.waitFor(b2cResultFor(request.payoutId));
    expect(parseDarajaB2cResult(callback!.body).outcome.kind).toBe("paid");
  });

  it("pays the same payout id once however often it is sent, and resends the result", async () => {
    const rail = new DarajaB2cRail(railOptions());
    const request = payout("+254711111111");
    const answers = await Promise.all([rail.send(request), rail.send(request), rail.send(request)]);
    const references = new Set(answers.map((a) => (a.kind === "pending-callback" ? a.providerReference : a.kind)));
    expect(references.size).toBe(1);
    await receiver.waitFor(b2cResultFor(request.payoutId));
    await rail.send(request);
    const results = await receiver.waitFor(b2cResultFor(request.payoutId), 2);
    expect(new Set(results.map((r) => parseDarajaB2cResult(r.body).transactionId)).size).toBe(1);

    const paid = sandbox.payments().filter((p) => p.originatorConversationId === request.payoutId);
    expect(paid).toHaveLength(1);
    expect(paid[0]!.requests).toBe(4);
    const response = await fetch(`${sandbox.url}/__sandbox/payments`);
    const { payments } = (await response.json()) as { payments: Array<{ originatorConversationId: string }> };
    const ids = payments.map((p) => p.originatorConversationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("refuses the same payout id with a different amount, as a final failure", async () => {
    const rail = new DarajaB2cRail(railOptions());
    const request = payout("+254722222222");
    await rail.send(request);
    expect(await rail.send({ ...request, amount: 200_000n })).toMatchObject({ kind: "failed-final", code: "MPESA_409.001.01" });
    expect(sandbox.payments().filter((p) => p.originatorConversationId === request.payoutId)).toHaveLength(1);
  });

  it("asks for one OAuth token for many requests, and a new one after it expires", async () => {
    const own = await startDarajaSandbox({ tokenTtlSeconds: 3600 });
    try {
      let now = Date.now();
      const rail = new DarajaB2cRail(railOptions({ baseUrl: own.url, now: () => now }));
      await Promise.all(Array.from({ length: 25 }, (_, i) => rail.send(payout(`+2547330000${String(i).padStart(2, "0")}`))));
      await rail.queryStatus(randomUUID());
      expect(own.stats().oauthRequests).toBe(1);
      expect(own.stats().b2cRequests).toBe(25);

      now += 3600 * 1000;
      await rail.send(payout("+254733999999"));
      expect(own.stats().oauthRequests).toBe(2);
    } finally {
      await own.stop();
    }
  });

  it("keeps payouts retryable when the OAuth credentials are wrong", async () => {
    const rail = new DarajaB2cRail(railOptions({ consumerSecret: "wrong" }));
    const request = payout("+254744444444");
    expect(await rail.send(request)).toMatchObject({ kind: "retryable", code: "MPESA_AUTH_FAILED" });
    expect(sandbox.payments().some((p) => p.originatorConversationId === request.payoutId)).toBe(false);
  });

  it("treats an unreachable Daraja as retryable", async () => {
    const closed = await startDarajaSandbox();
    await closed.stop();
    const rail = new DarajaB2cRail(railOptions({ baseUrl: closed.url }));
    expect(await rail.send(payout("+254755555555"))).toMatchObject({ kind: "retryable", code: "MPESA_NETWORK_ERROR" });
  });

  it("fails a payout it cannot express before calling Daraja", async () => {
    const rail = new DarajaB2cRail(railOptions());
    const before = sandbox.stats().b2cRequests;
    expect(await rail.send(payout("+254766666666", { amount: 150_050n }))).toMatchObject({ kind: "failed-final", code: "INVALID_AMOUNT" });
    expect(await rail.send(payout("not-a-phone"))).toMatchObject({ kind: "failed-final", code: "INVALID_DESTINATION" });
    expect(
      await rail.send({ ...payout("+254766666666"), destination: { type: "stripe", account: "acct_1" } }),
    ).toMatchObject({ kind: "failed-final", code: "INVALID_DESTINATION" });
    expect(sandbox.stats().b2cRequests).toBe(before);
  });
});
