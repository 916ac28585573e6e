import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { listMigrationNames } from "@agrinet/db";
import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { createPartnerKey, createStaffUser, getAccountBalance, registerContract, userWalletAccount, verifyLedger } from "@agrinet/domain";
import { specExamples } from "@agrinet/schemas";
import { signStripeWebhook, startStripeFake, stripeEvent, type StripeFake } from "@agrinet/stripe-fake";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import app from "../app";
import { devAuthSettings } from "../auth/settings";

const webhookSecret = "whsec_deposits_test_secret";
const admin = { email: "deposits-admin@agrinet.test", password: "correct horse battery" };

let database: TestDatabase;
let stripeFake: StripeFake;
let fastify: FastifyInstance;
let uploadsDir: string;
let partnerKey: string;
let readOnlyKey: string;
let adminCookie: string;

async function buildApp(payments: Parameters<typeof app>[1]["payments"]) {
  const instance = Fastify({ logger: false });
  await instance.register(app, { db: database.db, expectedMigrations: await listMigrationNames(), payments });
  await instance.ready();
  return instance;
}

beforeAll(async () => {
  database = await createTestDatabase();
  // The spec's example deposit funds contract_45ab's escrow.
  await registerContract({
    db: database.db,
    input: { id: "contract_45ab", consumerId: "user_buyer1", producerId: "user_prod7", currency: "KES", expectedAmount: 250000n },
  });
  stripeFake = await startStripeFake({ host: "127.0.0.1", port: 0 });
  uploadsDir = await mkdtemp(join(tmpdir(), "agrinet-receipts-"));
  fastify = await buildApp({
    stripeKey: "sk_test_deposits",
    stripeApiBase: stripeFake.url,
    webhookSecret,
    uploadsDir,
  });
  partnerKey = (await createPartnerKey({ db: database.db, name: "deposits partner", scopes: ["deposits:write", "deposits:read"], actor: "test" })).key;
  readOnlyKey = (await createPartnerKey({ db: database.db, name: "reader", scopes: ["deposits:read"], actor: "test" })).key;
  await createStaffUser({ db: database.db, email: admin.email, name: "Ops", password: admin.password, role: "admin", actor: "test" });
  const signIn = await fastify.inject({
    method: "POST",
    url: "/api/auth/sign-in/email",
    headers: { origin: devAuthSettings.trustedOrigins[0]!, "content-type": "application/json" },
    payload: admin,
  });
  expect(signIn.statusCode).toBe(200);
  const cookies = signIn.headers["set-cookie"];
  adminCookie = (Array.isArray(cookies) ? cookies : [cookies]).map((c) => String(c).split(";")[0]).join("; ");
});

afterAll(async () => {
  await fastify?.close();
  await stripeFake?.stop();
  await database?.drop();
  if (uploadsDir) await rm(uploadsDir, { recursive: true, force: true });
});

const post = (url: string, payload: unknown, headers: Record<string, string> = { "x-api-key": partnerKey }) =>
  fastify.inject({ method: "POST", url, payload: payload as object, headers });
const asAdmin = () => ({ cookie: adminCookie, origin: devAuthSettings.trustedOrigins[0]! });
const walletBalance = async (userId: string, currency: "KES" | "USD" = "KES") =>
  (await getAccountBalance(database.db, { account: userWalletAccount(userId, currency) })).posted;

describe("the spec's deposit calls over REST", () => {
  let depositId: string;

  test("POST /deposit with the spec's body → 200 pending, amounts as strings", async () => {
    const response = await post("/deposit", specExamples.createDeposit);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({
      status: "pending",
      userId: "user_buyer1",
      amount: "250000",
      currency: "KES",
      method: "mpesa",
      reference: "MPESA-12345",
      contractId: "contract_45ab",
      ledgerEntryIds: [],
    });
    depositId = body.id;
  });

  test("the same reference again → 409 with the existing id, nothing new", async () => {
    const before = await database.db.deposit.count();
    const response = await post("/deposit", specExamples.createDeposit);
    expect(response.statusCode).toBe(409);
    expect(response.json().error).toMatchObject({ code: "DUPLICATE_REFERENCE", details: { depositId } });
    expect(await database.db.deposit.count()).toBe(before);
  });

  test("amount 999 → 400 naming amount; bad currency, method and a missing userId are each named", async () => {
    const low = await post("/deposit", { ...specExamples.createDeposit, reference: "LOW-1", amount: 999 });
    expect(low.statusCode).toBe(400);
    expect(low.json().error.fields.map((f: { path: string }) => f.path)).toEqual(["amount"]);
    const { userId: _omitted, ...withoutUser } = specExamples.createDeposit;
    const bad = await post("/deposit", { ...withoutUser, reference: "BAD-1", currency: "XXX", method: "paypal" });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.fields.map((f: { path: string }) => f.path).sort()).toEqual(["currency", "method", "userId"]);
  });

  test("a partner key without deposits:write cannot create", async () => {
    const response = await post("/deposit", { ...specExamples.createDeposit, reference: "RO-1" }, { "x-api-key": readOnlyKey });
    expect(response.statusCode).toBe(403);
  });

  test("a partner may not confirm unless DEPOSITS_PARTNER_CONFIRM is on", async () => {
    const response = await post(`/deposit/${depositId}/confirm`, specExamples.confirmDeposit);
    expect(response.statusCode).toBe(403);
  });

  test("POST /deposit/{id}/confirm by an admin → confirmed with ledger entry ids, escrow credited, audited", async () => {
    const response = await post(`/deposit/${depositId}/confirm`, specExamples.confirmDeposit, asAdmin());
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.status).toBe("confirmed");
    expect(body.ledgerEntryIds).toHaveLength(2);
    expect(body.evidenceUrl).toBe(specExamples.confirmDeposit.evidenceUrl);
    // The session, not the body, says who confirmed.
    expect(body.confirmedBy).toMatch(/^staff:/);
    const escrow = await getAccountBalance(database.db, { account: "contract:contract_45ab:escrow:KES" });
    expect(escrow.posted).toBe(250000n);
    const audit = await database.db.auditLog.findFirst({ where: { action: "deposit.confirmed", target: `deposit:${depositId}` } });
    expect(audit?.actor).toBe(body.confirmedBy);
  });

  test("confirming again → 409 and no second credit", async () => {
    const response = await post(`/deposit/${depositId}/confirm`, specExamples.confirmDeposit, asAdmin());
    expect(response.statusCode).toBe(409);
    const escrow = await getAccountBalance(database.db, { account: "contract:contract_45ab:escrow:KES" });
    expect(escrow.posted).toBe(250000n);
  });

  test("20 concurrent confirms over HTTP → one 200, nineteen 409, the balance up by the amount once", async () => {
    const created = (await post("/deposit", { ...specExamples.createDeposit, userId: "user_http_race", reference: "RACE-HTTP", metadata: {} })).json();
    const before = await walletBalance("user_http_race");
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => post(`/deposit/${created.id}/confirm`, specExamples.confirmDeposit, asAdmin())),
    );
    expect(responses.map((r) => r.statusCode).sort()).toEqual([200, ...Array(19).fill(409)]);
    expect((await walletBalance("user_http_race")) - before).toBe(250000n);
  });

  test("fail → failed, no ledger effect; confirm afterwards → 409", async () => {
    const created = (await post("/deposit", { ...specExamples.createDeposit, userId: "user_http_fail", reference: "FAIL-HTTP", metadata: {} })).json();
    const failed = await post(`/deposit/${created.id}/fail`, { reason: "No matching M-Pesa transaction" }, asAdmin());
    expect(failed.statusCode).toBe(200);
    expect(failed.json()).toMatchObject({ status: "failed", failureReason: "No matching M-Pesa transaction", ledgerEntryIds: [] });
    const confirm = await post(`/deposit/${created.id}/confirm`, specExamples.confirmDeposit, asAdmin());
    expect(confirm.statusCode).toBe(409);
    expect(await walletBalance("user_http_fail")).toBe(0n);
  });

  test("GET /api/v1/deposits filters by status and finds by reference", async () => {
    const response = await fastify.inject({
      method: "GET",
      url: "/api/v1/deposits?status=failed&search=FAIL-HTTP",
      headers: { "x-api-key": readOnlyKey },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().items.map((d: { reference: string }) => d.reference)).toEqual(["FAIL-HTTP"]);
    const one = await fastify.inject({ method: "GET", url: `/api/v1/deposits/${depositId}`, headers: { "x-api-key": readOnlyKey } });
    expect(one.json()).toMatchObject({ id: depositId, status: "confirmed" });
  });
});

describe("Stripe deposits against the fake Stripe API", () => {
  const stripeBody = (reference: string, paymentMethodId: string, extra: Record<string, unknown> = {}) => ({
    userId: "user_card",
    amount: 5000,
    currency: "USD",
    method: "stripe",
    reference,
    paymentMethodId,
    ...extra,
  });

  test("a card that succeeds → confirmed and credited, PaymentIntent keyed by the deposit id", async () => {
    const before = await walletBalance("user_card", "USD");
    const response = await post("/deposit", stripeBody("CARD-OK", "pm_card_visa"));
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ status: "confirmed", confirmedBy: "stripe", nextAction: null });
    expect(body.ledgerEntryIds).toHaveLength(2);
    expect((await walletBalance("user_card", "USD")) - before).toBe(5000n);
    const intent = stripeFake.paymentIntents().find((pi) => pi.id === body.stripePaymentIntentId);
    expect(intent?.metadata).toMatchObject({ depositId: body.id });
  });

  test("a card that needs 3-D Secure → pending with the client secret and redirect URL", async () => {
    const response = await post(
      "/deposit",
      stripeBody("CARD-3DS", "pm_card_threeDSecure2Required", { returnUrl: "https://shop.example.org/return" }),
    );
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.status).toBe("pending");
    expect(body.nextAction).toMatchObject({
      type: "stripe_confirmation",
      paymentIntentId: body.stripePaymentIntentId,
      clientSecret: expect.stringContaining("_secret_"),
      redirectUrl: expect.stringContaining("/3ds/"),
    });
  });

  test("a declined card → 402 with Stripe's decline code, the deposit failed", async () => {
    const response = await post("/deposit", stripeBody("CARD-DECLINED", "pm_card_chargeDeclinedInsufficientFunds"));
    expect(response.statusCode).toBe(402);
    const error = response.json().error;
    expect(error).toMatchObject({ code: "PAYMENT_DECLINED", details: { declineCode: "insufficient_funds", code: "card_declined" } });
    const deposit = await database.db.deposit.findFirstOrThrow({ where: { reference: "CARD-DECLINED" } });
    expect(deposit).toMatchObject({ status: "failed", failureCode: "insufficient_funds" });
  });

  test("402 means retry with a new payment method: the same reference and another card tries the same deposit again", async () => {
    const declined = await post("/deposit", stripeBody("CARD-RETRY", "pm_card_chargeDeclined"));
    expect(declined.statusCode).toBe(402);
    const depositId = declined.json().error.details.depositId;
    // The same card again: Stripe's answer for that attempt, no new charge.
    const sameCard = await post("/deposit", stripeBody("CARD-RETRY", "pm_card_chargeDeclined"));
    expect(sameCard.statusCode).toBe(402);
    const before = await walletBalance("user_card", "USD");
    const retried = await post("/deposit", stripeBody("CARD-RETRY", "pm_card_visa"));
    expect(retried.statusCode).toBe(200);
    expect(retried.json()).toMatchObject({ id: depositId, reference: "CARD-RETRY", status: "confirmed", confirmedBy: "stripe" });
    expect((await walletBalance("user_card", "USD")) - before).toBe(5000n);
    // Confirmed now: the reference is taken for good, and the old PaymentIntent's failure changes nothing.
    const again = await post("/deposit", stripeBody("CARD-RETRY", "pm_card_visa"));
    expect(again.statusCode).toBe(409);
    expect(await database.db.deposit.count({ where: { reference: "CARD-RETRY" } })).toBe(1);
  });

  test("a declined deposit asked for with another amount, or failed by staff, keeps its reference (409)", async () => {
    expect((await post("/deposit", stripeBody("CARD-OTHER", "pm_card_chargeDeclined"))).statusCode).toBe(402);
    const other = await post("/deposit", stripeBody("CARD-OTHER", "pm_card_visa", { amount: 9000 }));
    expect(other.statusCode).toBe(409);
    expect(other.json().error.code).toBe("DUPLICATE_REFERENCE");
  });

  test("without STRIPE_KEY, method stripe → 400 saying Stripe is not configured", async () => {
    const plain = await buildApp({});
    const response = await plain.inject({
      method: "POST",
      url: "/deposit",
      payload: stripeBody("CARD-NOKEY", "pm_card_visa"),
      headers: { "x-api-key": partnerKey },
    });
    await plain.close();
    expect(response.statusCode).toBe(400);
    expect(response.json().error.fields).toEqual([{ path: "method", message: expect.stringMatching(/Stripe is not configured/) }]);
  });
});

describe("POST /payments/stripe/webhook", () => {
  const deliver = (event: object, options: { tamper?: (payload: string) => string; signature?: string | null } = {}) => {
    const payload = JSON.stringify(event);
    const signature = options.signature === undefined ? signStripeWebhook({ payload, secret: webhookSecret }) : options.signature;
    return fastify.inject({
      method: "POST",
      url: "/payments/stripe/webhook",
      payload: options.tamper ? options.tamper(payload) : payload,
      headers: { "content-type": "application/json", ...(signature ? { "stripe-signature": signature } : {}) },
    });
  };

  async function pendingCardDeposit(reference: string) {
    const response = await post(
      "/deposit",
      { userId: "user_hook", amount: 7000, currency: "USD", method: "stripe", reference, paymentMethodId: "pm_card_authenticationRequired" },
    );
    expect(response.json().status).toBe("pending");
    return response.json() as { id: string; stripePaymentIntentId: string };
  }

  const intentObject = (deposit: { id: string; stripePaymentIntentId: string }, extra: Record<string, unknown> = {}) => ({
    id: deposit.stripePaymentIntentId,
    object: "payment_intent",
    amount: 7000,
    amount_received: 7000,
    currency: "usd",
    status: "succeeded",
    metadata: { depositId: deposit.id },
    ...extra,
  });

  test("a signed payment_intent.succeeded confirms; the replay changes nothing; a tampered one is 400", async () => {
    const deposit = await pendingCardDeposit("HOOK-1");
    const before = await walletBalance("user_hook", "USD");
    const event = stripeEvent("payment_intent.succeeded", intentObject(deposit));

    const first = await deliver(event);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ replayed: false, outcome: "confirmed" });
    expect((await database.db.deposit.findUniqueOrThrow({ where: { id: deposit.id } })).status).toBe("confirmed");
    expect((await walletBalance("user_hook", "USD")) - before).toBe(7000n);

    const replay = await deliver(event);
    expect(replay.statusCode).toBe(200);
    expect(replay.json()).toMatchObject({ replayed: true });
    expect((await walletBalance("user_hook", "USD")) - before).toBe(7000n);

    // Same event id, a fresh id and a bigger amount: neither verifies.
    const forged = stripeEvent("payment_intent.succeeded", intentObject(deposit, { amount_received: 700000 }));
    const tampered = await deliver(forged, { tamper: (p) => p.replace('"amount_received":700000', '"amount_received":700001') });
    expect(tampered.statusCode).toBe(400);
    const unsigned = await deliver(forged, { signature: null });
    expect(unsigned.statusCode).toBe(400);
    expect(await database.db.stripeEvent.count({ where: { id: forged.id } })).toBe(0);
  });

  test("a payment_intent.succeeded for another amount credits nothing and joins the reconciliation queue once", async () => {
    const deposit = await pendingCardDeposit("HOOK-MISMATCH");
    const before = await walletBalance("user_hook", "USD");
    const event = stripeEvent("payment_intent.succeeded", intentObject(deposit, { amount_received: 6999 }));
    expect((await deliver(event)).json()).toMatchObject({ outcome: "amount_mismatch" });
    // The same news in another event: still one exception.
    await deliver(stripeEvent("payment_intent.succeeded", intentObject(deposit, { amount_received: 6999 })));
    expect(await walletBalance("user_hook", "USD")).toBe(before);
    const queued = await database.db.reconciliationException.findMany({ where: { reference: deposit.stripePaymentIntentId } });
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ source: "stripe", kind: "amount_mismatch", status: "new", ledgerAmount: 7000n, statementAmount: 6999n, currency: "USD" });
  });

  test("the synchronous path and the webhook together credit once", async () => {
    const response = await post("/deposit", { userId: "user_hook_sync", amount: 3000, currency: "USD", method: "stripe", reference: "HOOK-SYNC", paymentMethodId: "pm_card_visa" });
    const deposit = response.json();
    expect(deposit.status).toBe("confirmed");
    const event = stripeEvent("payment_intent.succeeded", {
      id: deposit.stripePaymentIntentId,
      object: "payment_intent",
      amount_received: 3000,
      currency: "usd",
      metadata: { depositId: deposit.id },
    });
    expect((await deliver(event)).json()).toMatchObject({ outcome: "already_confirmed" });
    expect(await walletBalance("user_hook_sync", "USD")).toBe(3000n);
  });

  test("out of order: failed then succeeded ends confirmed; succeeded then failed stays confirmed", async () => {
    const a = await pendingCardDeposit("HOOK-ORDER-A");
    const failure = { last_payment_error: { code: "card_declined", decline_code: "generic_decline", message: "declined" }, status: "requires_payment_method" };
    expect((await deliver(stripeEvent("payment_intent.payment_failed", intentObject(a, failure)))).json().outcome).toBe("failed");
    expect((await deliver(stripeEvent("payment_intent.succeeded", intentObject(a)))).json().outcome).toBe("confirmed");
    expect((await database.db.deposit.findUniqueOrThrow({ where: { id: a.id } })).status).toBe("confirmed");

    const b = await pendingCardDeposit("HOOK-ORDER-B");
    await deliver(stripeEvent("payment_intent.succeeded", intentObject(b)));
    expect((await deliver(stripeEvent("payment_intent.payment_failed", intentObject(b, failure)))).json().outcome).toBe(
      "unchanged_confirmed",
    );
    expect((await database.db.deposit.findUniqueOrThrow({ where: { id: b.id } })).status).toBe("confirmed");
  });

  test("charge.refunded posts the refund once, even before the succeeded event arrived", async () => {
    const deposit = await pendingCardDeposit("HOOK-REFUND");
    const before = await walletBalance("user_hook", "USD");
    const charge = (refunded: number) => ({
      id: "ch_refund_test",
      object: "charge",
      payment_intent: deposit.stripePaymentIntentId,
      amount: 7000,
      amount_captured: 7000,
      amount_refunded: refunded,
      currency: "usd",
      metadata: {},
    });
    expect((await deliver(stripeEvent("charge.refunded", charge(2000)))).json().outcome).toBe("refunded");
    // Credited 7000 by the implied confirmation, then 2000 refunded.
    expect((await walletBalance("user_hook", "USD")) - before).toBe(5000n);
    expect((await deliver(stripeEvent("charge.refunded", charge(2000)))).json().outcome).toBe("refund_already_posted");
    expect((await deliver(stripeEvent("charge.refunded", charge(7000)))).json().outcome).toBe("refunded");
    expect((await walletBalance("user_hook", "USD")) - before).toBe(0n);
    expect((await database.db.deposit.findUniqueOrThrow({ where: { id: deposit.id } })).refundedAmount).toBe(7000n);
  });

  test("transfer and payout events are acknowledged and handed to payouts", async () => {
    const response = await deliver(stripeEvent("transfer.created", { id: "tr_1", object: "transfer" }));
    expect(response.statusCode).toBe(200);
    expect(response.json().outcome).toBe("handed_to_payouts");
  });
});

describe("receipts", () => {
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from("fake png body")]);

  function multipart(bytes: Buffer, filename: string, contentType: string) {
    const boundary = "----agrinet-test-boundary";
    const payload = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: ${contentType}\r\n\r\n`),
      bytes,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    return { payload, headers: { "content-type": `multipart/form-data; boundary=${boundary}` } };
  }

  const upload = (bytes: Buffer, filename = "receipt.png", contentType = "image/png", headers: Record<string, string> = asAdmin()) => {
    const body = multipart(bytes, filename, contentType);
    return fastify.inject({ method: "POST", url: "/api/v1/uploads/receipts", payload: body.payload, headers: { ...headers, ...body.headers } });
  };

  test("a PNG is stored by hash, confirms a deposit as evidence, and is served only to staff", async () => {
    const response = await upload(png);
    expect(response.statusCode).toBe(201);
    const receipt = response.json();
    expect(receipt).toMatchObject({ contentType: "image/png", size: png.length, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });

    const created = (await post("/deposit", { ...specExamples.createDeposit, userId: "user_receipt", reference: "BANK-RECEIPT", method: "bank", metadata: {} })).json();
    const confirmed = await post(`/deposit/${created.id}/confirm`, { receiptSha256: receipt.sha256 }, asAdmin());
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.json()).toMatchObject({ receiptSha256: receipt.sha256, receiptUrl: receipt.url });

    const served = await fastify.inject({ method: "GET", url: receipt.url, headers: asAdmin() });
    expect(served.statusCode).toBe(200);
    expect(served.headers["content-type"]).toBe("image/png");
    expect(served.rawPayload.equals(png)).toBe(true);
    const toPartner = await fastify.inject({ method: "GET", url: receipt.url, headers: { "x-api-key": partnerKey } });
    expect(toPartner.statusCode).toBe(403);
    const anonymous = await fastify.inject({ method: "GET", url: receipt.url });
    expect(anonymous.statusCode).toBe(401);
    // Refusals in the one REST envelope, as every route answers them.
    const envelope = (code: string, message: string) => ({ error: { code, message, fields: [], requestId: expect.any(String) } });
    expect(toPartner.json()).toEqual(envelope("FORBIDDEN", "not allowed for this caller"));
    expect(anonymous.json()).toEqual(envelope("UNAUTHORIZED", "missing or invalid credentials"));
    const readOnlyUpload = await upload(png, "receipt.png", "image/png", { "x-api-key": readOnlyKey });
    expect(readOnlyUpload.statusCode).toBe(403);
    expect(readOnlyUpload.json()).toEqual(envelope("FORBIDDEN", "not allowed for this caller"));
    const anonymousUpload = await upload(png, "receipt.png", "image/png", {});
    expect(anonymousUpload.statusCode).toBe(401);
    expect(anonymousUpload.json()).toEqual(envelope("UNAUTHORIZED", "missing or invalid credentials"));
  });

  test("content decides the type: HTML named receipt.jpg → 415", async () => {
    const response = await upload(Buffer.from("<html><script>alert(1)</script></html>"), "receipt.jpg", "image/jpeg");
    expect(response.statusCode).toBe(415);
  });

  test("over 5 MB → 413", async () => {
    const big = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(5 * 1024 * 1024)]);
    const response = await upload(big, "big.jpg", "image/jpeg");
    expect(response.statusCode).toBe(413);
  });
});

test("after every deposit, refund and webhook above, the ledger verifies (what pnpm ledger:verify checks)", async () => {
  const verification = await verifyLedger(database.db);
  expect(verification.checks.filter((c) => c.violations > 0)).toEqual([]);
  expect(verification.ok).toBe(true);
  expect(verification.totals.transactions).toBeGreaterThan(0);
});

describe("Stripe's balance transactions reconcile the card deposits", () => {
  test("pulled through the stripe SDK from the fake, committed: every charge of a confirmed deposit matches", async () => {
    const from = new Date(Date.now() - 60_000).toISOString();
    const paid = await post("/deposit", { userId: "user_recon_card", amount: 4200, currency: "USD", method: "stripe", reference: "RECON-CARD-1", paymentMethodId: "pm_card_visa" });
    expect(paid.json().status).toBe("confirmed");
    const pull = () =>
      fastify.inject({ method: "POST", url: "/api/v1/reconciliation/stripe/pull", headers: asAdmin(), payload: { from, to: new Date(Date.now() + 60_000).toISOString() } });
    const preview = await pull();
    expect(preview.statusCode).toBe(201);
    const body = preview.json() as { id: string; source: string; format: string; rowsParsed: number };
    expect(body).toMatchObject({ source: "stripe", format: "stripe_api" });
    const charges = stripeFake.balanceTransactions().filter((t) => (t.created as number) * 1000 >= Date.parse(from) - 1000);
    expect(body.rowsParsed).toBe(charges.length);
    const commit = await fastify.inject({ method: "POST", url: `/admin/reconciliation/statements/${body.id}/commit`, headers: asAdmin(), payload: {} });
    expect(commit.statusCode).toBe(200);
    const matched = await database.db.$queryRaw<{ reference: string }[]>`
      select l.reference from reconciliation_lines l join reconciliation_matches m on m.line_id = l.id where l.source = 'stripe'`;
    expect(matched.map((m) => m.reference)).toContain(paid.json().stripePaymentIntentId);
    const exceptions = await fastify.inject({ method: "GET", url: "/admin/reconciliation/exceptions?source=stripe&kind=unmatched_line", headers: asAdmin() });
    expect(exceptions.json().items).toEqual([]);
    // Pulling the same period again adds nothing.
    const again = (await pull()).json() as { id: string; rowsNew: number };
    expect(again.rowsNew).toBe(0);
  });
});
