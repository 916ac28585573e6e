import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { DomainError } from "@agrinet/core";
import { sendStripeWebhook, signStripeWebhook, startStripeFake, stripeEvent, type StripeFake } from "@agrinet/stripe-fake";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStripeClient } from "./stripe-client";
import { chargeStripeDeposit, paymentIntentOutcome } from "./stripe-deposits";
import { StripeTransferRail } from "./stripe-transfer-rail";
import { verifyStripeWebhook } from "./stripe-webhooks";

let fake: StripeFake;
let stripe: ReturnType<typeof createStripeClient>;

beforeAll(async () => {
  fake = await startStripeFake({ platformBalance: 1_000_000n });
  stripe = createStripeClient({ apiKey: "sk_test_agrinet", apiBase: fake.url });
});

afterAll(async () => {
  await fake.stop();
});

const deposit = (paymentMethodId: string, extra: { returnUrl?: string; amount?: bigint } = {}) => ({
  depositId: randomUUID(),
  amount: extra.amount ?? 2_500n,
  currency: "USD",
  paymentMethodId,
  ...(extra.returnUrl ? { returnUrl: extra.returnUrl } : {}),
});

async function rejection(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe("Stripe deposits through the real SDK against the fake API", () => {
  it("confirms a card that succeeds, with the deposit id in metadata, once per deposit id", async () => {
    const charge = deposit("pm_card_visa");
    const first = await chargeStripeDeposit(stripe, charge);
    expect(first).toMatchObject({ kind: "succeeded", amountReceived: 2_500n });
    const replay = await chargeStripeDeposit(stripe, charge);
    expect(replay).toEqual(first);

    const intents = fake.paymentIntents().filter((pi) => (pi.metadata as Record<string, string>).depositId === charge.depositId);
    expect(intents).toHaveLength(1);
    expect(intents[0]).toMatchObject({ id: first.kind === "succeeded" ? first.paymentIntentId : "", amount: 2_500, currency: "usd" });
  });

  it("reports a decline with Stripe's decline code and message, the same on replay", async () => {
    const charge = deposit("pm_card_chargeDeclined");
    const first = await chargeStripeDeposit(stripe, charge);
    expect(first).toMatchObject({
      kind: "declined",
      code: "card_declined",
      declineCode: "generic_decline",
      message: "Your card was declined.",
      paymentIntentId: expect.stringMatching(/^pi_/),
    });
    expect(await chargeStripeDeposit(stripe, charge)).toEqual(first);
    expect(await chargeStripeDeposit(stripe, deposit("pm_card_chargeDeclinedInsufficientFunds"))).toMatchObject({
      kind: "declined",
      declineCode: "insufficient_funds",
    });
  });

  it("hands back the client secret and redirect URL when 3-D Secure is required", async () => {
    const redirected = await chargeStripeDeposit(
      stripe,
      deposit("pm_card_threeDSecure2Required", { returnUrl: "http://127.0.0.1:3000/deposits/return" }),
    );
    expect(redirected).toMatchObject({
      kind: "requires-action",
      clientSecret: expect.stringMatching(/^pi_.+_secret_/),
      redirectUrl: expect.stringContaining("/__fake/3ds/pi_"),
    });

    // The customer authenticates on the redirect page; the intent then reads as succeeded.
    if (redirected.kind !== "requires-action") throw new Error("expected requires-action");
    const authenticated = await fetch(redirected.redirectUrl!, { redirect: "manual" });
    expect(authenticated.status).toBe(302);
    expect(authenticated.headers.get("location")).toBe(
      `http://127.0.0.1:3000/deposits/return?payment_intent=${redirected.paymentIntentId}`,
    );
    const settled = await stripe.paymentIntents.retrieve(redirected.paymentIntentId);
    expect(paymentIntentOutcome(settled)).toMatchObject({ kind: "succeeded", amountReceived: 2_500n });

    const inApp = await chargeStripeDeposit(stripe, deposit("pm_card_threeDSecure2Required"));
    expect(inApp).toMatchObject({ kind: "requires-action", redirectUrl: null });
  });

  it("names paymentMethodId when Stripe does not know the payment method", async () => {
    const error = await rejection(chargeStripeDeposit(stripe, deposit("card_bogus")));
    expect(error.code).toBe("VALIDATION_FAILED");
    expect(error.fields[0]?.path).toBe("paymentMethodId");
  });

  it("refuses the same deposit id with a different amount", async () => {
    const charge = deposit("pm_card_visa");
    await chargeStripeDeposit(stripe, charge);
    const error = await rejection(chargeStripeDeposit(stripe, { ...charge, amount: 9_999n }));
    expect(error.code).toBe("IDEMPOTENCY_KEY_REUSED");
  });
});

describe("Stripe transfer rail", () => {
  const rail = () => new StripeTransferRail(stripe);
  const payout = (account: string, amount = 40_000n) => {
    const payoutId = randomUUID();
    return { payoutId, providerKey: payoutId, amount,
    currency: "USD",
    destination: { type: "stripe" as const, account } };
  };

  it("pays a connected account once per payout id, and finds it again by status query", async () => {
    const request = payout("acct_producer1");
    const first = await rail().send(request);
    expect(first).toMatchObject({ kind: "paid", providerReference: expect.stringMatching(/^tr_/) });
    expect(await rail().send(request)).toEqual(first);

    const made = fake.transfers().filter((t) => t.transfer_group === request.payoutId);
    expect(made).toHaveLength(1);
    expect(made[0]).toMatchObject({ amount: 40_000, currency: "usd", destination: "acct_producer1", metadata: { payoutId: request.payoutId } });
    expect(await rail().queryStatus(request.payoutId)).toEqual({ kind: "paid", providerReference: made[0]!.id });
  });

  it("reports a payout Stripe never saw as not-found", async () => {
    expect(await rail().queryStatus(randomUUID())).toEqual({ kind: "not-found" });
  });

  it("fails finally on an unknown account or an empty platform balance", async () => {
    expect(await rail().send(payout("acct_missing_1"))).toMatchObject({ kind: "failed-final", code: "STRIPE_RESOURCE_MISSING" });
    expect(await rail().send(payout("acct_producer2", 5_000_000n))).toMatchObject({
      kind: "failed-final",
      code: "STRIPE_BALANCE_INSUFFICIENT",
    });
    expect(await rail().send(payout("not-an-account"))).toMatchObject({ kind: "failed-final", code: "INVALID_DESTINATION" });
  });

  it("is retryable when Stripe cannot be reached", async () => {
    const gone = await startStripeFake();
    await gone.stop();
    const offline = new StripeTransferRail(createStripeClient({ apiKey: "sk_test_agrinet", apiBase: gone.url, maxNetworkRetries: 0 }));
    expect(await offline.send(payout("acct_producer3"))).toMatchObject({ kind: "retryable" });
  });
});

describe("Stripe webhook verification", () => {
  const secret = "whsec_test_agrinet";
  const event = stripeEvent("payment_intent.succeeded", { id: "pi_123", object: "payment_intent", metadata: { depositId: "d1" } });
  const payload = JSON.stringify(event);

  it("accepts a body signed by the SDK's test helper", () => {
    const verified = verifyStripeWebhook({ payload, signature: signStripeWebhook({ payload, secret }), secret });
    expect(verified.id).toBe(event.id);
    expect(verified.type).toBe("payment_intent.succeeded");
  });

  it("rejects a tampered body, a wrong secret, a stale timestamp and a missing header", () => {
    const signature = signStripeWebhook({ payload, secret });
    const tampered = payload.replace("d1", "d2");
    for (const attempt of [
      () => verifyStripeWebhook({ payload: tampered, signature, secret }),
      () => verifyStripeWebhook({ payload, signature, secret: "whsec_other" }),
      () =>
        verifyStripeWebhook({
          payload,
          signature: signStripeWebhook({ payload, secret, timestamp: Math.floor(Date.now() / 1000) - 600 }),
          secret,
        }),
      () => verifyStripeWebhook({ payload, signature: undefined, secret }),
    ]) {
      expect(attempt).toThrow(expect.objectContaining({ code: "VALIDATION_FAILED", fields: [expect.objectContaining({ path: "stripe-signature" })] }));
    }
  });

  it("verifies events POSTed over HTTP on the raw bytes", async () => {
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (c: Buffer) => chunks.push(c));
      request.on("end", () => {
        try {
          verifyStripeWebhook({ payload: Buffer.concat(chunks), signature: request.headers["stripe-signature"], secret });
          response.writeHead(200).end("ok");
        } catch {
          response.writeHead(400).end("bad signature");
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
    try {
      expect((await sendStripeWebhook({ url, event, secret })).status).toBe(200);
      expect((await sendStripeWebhook({ url, event, secret, payload: JSON.stringify({ ...event, id: "evt_forged" }) })).status).toBe(400);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
