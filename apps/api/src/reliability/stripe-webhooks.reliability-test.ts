// Scenario 5: Stripe webhooks for many card deposits, all at once, duplicated and out of order,
// with forged ones (tampered body, stale timestamp) mixed in.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { getAccountBalance, userWalletAccount } from "@agrinet/domain";
import { signStripeWebhook, startStripeFake, stripeEvent, type StripeFake } from "@agrinet/stripe-fake";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, test } from "vitest";
import { buildTestApp } from "../rest/testing/test-app";
import { createTestCredentials } from "../testing/credentials";
import { reportScenario, scaled } from "../testing/reliability";

const webhookSecret = "whsec_reliability_secret";
let database: TestDatabase;
let stripeFake: StripeFake;
let fastify: FastifyInstance;
let uploadsDir: string;

beforeAll(async () => {
  database = await createTestDatabase();
  stripeFake = await startStripeFake({ host: "127.0.0.1", port: 0 });
  uploadsDir = await mkdtemp(join(tmpdir(), "agrinet-reliability-"));
  ({ fastify } = await buildTestApp(database, {
    rateLimitPerMinute: 1_000_000,
    payments: { stripeKey: "sk_test_reliability", stripeApiBase: stripeFake.url, webhookSecret, uploadsDir },
  }));
});

afterAll(async () => {
  await fastify?.close();
  await stripeFake?.stop();
  await database?.drop();
  if (uploadsDir) await rm(uploadsDir, { recursive: true, force: true });
});

type Delivery = { payload: string; signature: string; forged: boolean };

const signed = (event: object, timestamp?: number): Delivery => {
  const payload = JSON.stringify(event);
  return { payload, signature: signStripeWebhook({ payload, secret: webhookSecret, timestamp }), forged: false };
};

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

test("duplicated, reordered, badly signed and stale Stripe webhooks → each deposit credited once or failed, forged ones rejected", async () => {
  const deposits = scaled(60, 4);
  const amount = 7000;
  const partner = await createTestCredentials({ fastify, db: database.db }).partner(["deposits:write"]);

  const pending: Array<{ id: string; stripePaymentIntentId: string; userId: string; paid: boolean }> = [];
  for (let i = 0; i < deposits; i++) {
    const userId = `user_card_${i}`;
    const response = await fastify.inject({
      method: "POST",
      url: "/deposit",
      headers: partner,
      payload: { userId, amount, currency: "USD", method: "stripe", reference: `RELIABILITY-CARD-${i}`, paymentMethodId: "pm_card_authenticationRequired" },
    });
    expect(response.json().status).toBe("pending");
    // Two in three customers complete 3-D Secure; the others' payment fails.
    pending.push({ ...response.json(), userId, paid: i % 3 !== 2 });
  }

  const deliveries: Delivery[] = [];
  for (const deposit of pending) {
    const intent = (extra: Record<string, unknown> = {}) => ({
      id: deposit.stripePaymentIntentId,
      object: "payment_intent",
      amount,
      amount_received: amount,
      currency: "usd",
      status: "succeeded",
      metadata: { depositId: deposit.id },
      ...extra,
    });
    const failure = stripeEvent(
      "payment_intent.payment_failed",
      intent({ status: "requires_payment_method", amount_received: 0, last_payment_error: { code: "card_declined", decline_code: "generic_decline", message: "declined" } }),
    );
    // Stripe retries: every real event arrives three times.
    for (let copy = 0; copy < 3; copy++) deliveries.push(signed(failure));
    if (deposit.paid) {
      const success = stripeEvent("payment_intent.succeeded", intent());
      for (let copy = 0; copy < 3; copy++) deliveries.push(signed(success));
    }
    // Forgeries: a success with the body changed after signing, one signed an hour ago, one unsigned.
    const forged = signed(stripeEvent("payment_intent.succeeded", intent({ amount_received: amount * 100 })));
    deliveries.push({ ...forged, payload: forged.payload.replace(`"amount_received":${amount * 100}`, `"amount_received":${amount * 100 + 1}`), forged: true });
    deliveries.push({ ...signed(stripeEvent("payment_intent.succeeded", intent()), Math.floor(Date.now() / 1000) - 3600), forged: true });
    deliveries.push({ ...signed(stripeEvent("payment_intent.succeeded", intent())), signature: "t=1,v1=deadbeef", forged: true });
  }

  // Like Stripe, a delivery answered 503 (the database too busy to take it) is sent again later.
  let retried = 0;
  const deliver = async (delivery: Delivery) => {
    for (let attempt = 0; ; attempt++) {
      const response = await fastify.inject({
        method: "POST",
        url: "/payments/stripe/webhook",
        payload: delivery.payload,
        headers: { "content-type": "application/json", "stripe-signature": delivery.signature },
      });
      if (response.statusCode !== 503) return { delivery, response };
      retried++;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(10_000, 500 * 2 ** attempt)));
    }
  };
  const responses = await Promise.all(shuffle(deliveries).map(deliver));

  const forged = responses.filter((r) => r.delivery.forged);
  const genuine = responses.filter((r) => !r.delivery.forged);
  expect(forged.map((r) => r.response.statusCode)).toEqual(forged.map(() => 400));
  expect(forged.every((r) => r.response.json().error.code === "VALIDATION_FAILED")).toBe(true);
  expect(genuine.map((r) => r.response.statusCode)).toEqual(genuine.map(() => 200));
  const replayed = genuine.filter((r) => r.response.json().replayed === true).length;

  // Only genuine events were recorded, each once.
  const genuineIds = new Set(genuine.map((r) => (JSON.parse(r.delivery.payload) as { id: string }).id));
  expect(await database.db.stripeEvent.count()).toBe(genuineIds.size);
  expect(replayed).toBe(genuine.length - genuineIds.size);

  let confirmed = 0;
  for (const deposit of pending) {
    const row = await database.db.deposit.findUniqueOrThrow({ where: { id: deposit.id } });
    const wallet = await getAccountBalance(database.db, { account: userWalletAccount(deposit.userId, "USD") });
    expect({ status: row.status, posted: wallet.posted }).toEqual(
      deposit.paid ? { status: "confirmed", posted: BigInt(amount) } : { status: "failed", posted: 0n },
    );
    if (deposit.paid) confirmed++;
  }

  await reportScenario(
    "scenario 5 (Stripe webhooks)",
    database.db,
    `${deposits} card deposits, ${responses.length} webhooks (${genuineIds.size} distinct genuine events, ${replayed} duplicates replayed, ${forged.length} forged/stale rejected with 400, ${retried} 503s redelivered), ${confirmed} confirmed once, ${deposits - confirmed} failed`,
  );
});
