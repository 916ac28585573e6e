import { listMigrationNames } from "@agrinet/db";
import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import {
  commitStatement,
  createPartnerKey,
  getAccountBalance,
  importStatement,
  listExceptions,
  pullStripeStatement,
  saveBankMapping,
  verifyLedger,
} from "@agrinet/domain";
import { createStripeClient } from "@agrinet/rails";
import { sendStripeWebhook, startStripeFake, stripeEvent, type StripeFake } from "@agrinet/stripe-fake";
import Fastify, { type FastifyInstance } from "fastify";
import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import app from "../app";

const webhookSecret = "whsec_stripe_payouts_test_secret";

let database: TestDatabase;
let stripeFake: StripeFake;
let stripe: Stripe;
let fastify: FastifyInstance;
let webhookUrl: string;
let partnerKey: string;
const periodStart = new Date(Date.now() - 60_000);

beforeAll(async () => {
  database = await createTestDatabase();
  stripeFake = await startStripeFake({ host: "127.0.0.1", port: 0 });
  stripe = createStripeClient({ apiKey: "sk_test_payouts", apiBase: stripeFake.url });
  fastify = Fastify({ logger: false });
  await fastify.register(app, {
    db: database.db,
    expectedMigrations: await listMigrationNames(),
    payments: { stripeKey: "sk_test_payouts", stripeApiBase: stripeFake.url, webhookSecret },
  });
  const address = await fastify.listen({ host: "127.0.0.1", port: 0 });
  webhookUrl = `${address}/payments/stripe/webhook`;
  stripeFake.setWebhook({ url: webhookUrl, secret: webhookSecret });
  partnerKey = (await createPartnerKey({ db: database.db, name: "card partner", scopes: ["deposits:write", "deposits:read"], actor: "test" })).key;
  await saveBankMapping({
    db: database.db,
    mapping: { bank: "equity", currency: "USD", dateFormat: "YYYY-MM-DD", columns: { bookedAt: "Date", reference: "Reference", amount: "Amount", description: "Narrative" } },
    actor: "staff:test",
  });
});

afterAll(async () => {
  await fastify?.close();
  await stripeFake?.stop();
  await database?.drop();
});

async function cardDeposit(reference: string, amount: number) {
  const response = await fastify.inject({
    method: "POST",
    url: "/deposit",
    headers: { "x-api-key": partnerKey },
    payload: { userId: "user_card_payouts", amount, currency: "USD", method: "stripe", reference, paymentMethodId: "pm_card_visa" },
  });
  expect(response.json()).toMatchObject({ status: "confirmed" });
  return response.json() as { stripePaymentIntentId: string };
}

const clearing = async (rail: "stripe" | "bank") => (await getAccountBalance(database.db, { account: `external:${rail}:USD` })).posted;

async function payoutTransactions(payoutId: string) {
  return database.db.$queryRaw<{ idempotency_key: string; account: string; amount: bigint }[]>`
    select t.idempotency_key, a.code as account, p.amount
    from ledger_transactions t join ledger_postings p on p.transaction_id = t.id join ledger_accounts a on a.id = p.account_id
    where t.metadata->>'stripePayoutId' = ${payoutId} order by t.id, a.code`;
}

async function commitStripeStatement() {
  const preview = await pullStripeStatement({ db: database.db, stripe, from: periodStart, to: new Date(Date.now() + 60_000), uploadedBy: "staff:test" });
  return commitStatement({ db: database.db, statementId: preview.id, actor: "staff:test" });
}

async function commitBankStatement(lines: string[]) {
  const today = new Date(Date.now() + 3 * 3_600_000).toISOString().slice(0, 10);
  const csv = ["Date,Reference,Narrative,Amount", ...lines.map((line) => `${today},${line}`)].join("\n");
  const preview = await importStatement({ db: database.db, source: "bank", bytes: Buffer.from(csv), fileName: `bank-${lines.length}.csv`, bank: "equity", uploadedBy: "staff:test" });
  return commitStatement({ db: database.db, statementId: preview.id, actor: "staff:test" });
}

const openExceptions = async (source: "stripe" | "bank") =>
  (await listExceptions(database.db, { source, status: "open", limit: 50 })).map((e) => ({ kind: e.kind, reference: e.reference, statementAmount: e.statementAmount }));

describe("a Stripe payout of many card charges to the platform's bank", () => {
  let payout: Stripe.Payout;
  const amounts = [4_200, 1_050, 7_775];
  const total = amounts.reduce((sum, a) => sum + a, 0);

  test("payout.paid (sent by the fake, confirmed by asking Stripe) moves the money from Stripe's clearing account to the bank's, once", async () => {
    const intents = [];
    for (const [i, amount] of amounts.entries()) intents.push((await cardDeposit(`CARD-PAYOUT-${i}`, amount)).stripePaymentIntentId);
    expect(await clearing("stripe")).toBe(BigInt(-total));

    payout = await stripe.payouts.create({ amount: total, currency: "usd" });
    expect(payout).toMatchObject({ object: "payout", status: "in_transit", automatic: true });
    await stripeFake.eventsDelivered();

    expect(await payoutTransactions(payout.id)).toEqual([
      { idempotency_key: `stripe-payout:${payout.id}`, account: "external:bank:USD", amount: BigInt(-total) },
      { idempotency_key: `stripe-payout:${payout.id}`, account: "external:stripe:USD", amount: BigInt(total) },
    ]);
    expect(await clearing("stripe")).toBe(0n);
    expect(await clearing("bank")).toBe(BigInt(-total));

    // Stripe lists what the payout covered: the three charges and the payout itself.
    const covered = await stripe.balanceTransactions.list({ payout: payout.id, limit: 100, expand: ["data.source"] });
    expect(covered.data.map((t) => t.type).sort()).toEqual(["charge", "charge", "charge", "payout"]);
    expect(covered.data.filter((t) => t.type === "charge").map((t) => (t.source as Stripe.Charge).payment_intent).sort()).toEqual([...intents].sort());
    expect(covered.data.reduce((sum, t) => sum + t.net, 0)).toBe(0);

    // The same event again, and a connected account's payout event, post nothing more.
    const again = await sendStripeWebhook({ url: webhookUrl, event: stripeEvent("payout.paid", { ...payout, status: "paid" }), secret: webhookSecret });
    expect(again.status).toBe(200);
    const connected = await sendStripeWebhook({
      url: webhookUrl,
      event: stripeEvent("payout.paid", { ...payout, status: "paid" }, { account: "acct_producer_1" }),
      secret: webhookSecret,
    });
    expect(connected.status).toBe(200);
    expect(await payoutTransactions(payout.id)).toHaveLength(2);
  });

  test("an event for a payout Stripe does not know is refused for Stripe to retry, and posts nothing", async () => {
    const unknown = await sendStripeWebhook({
      url: webhookUrl,
      event: stripeEvent("payout.paid", { id: "po_missing", object: "payout", amount: 100, currency: "usd", status: "paid" }),
      secret: webhookSecret,
    });
    expect(unknown.status).toBe(503);
    expect(await payoutTransactions("po_missing")).toEqual([]);
  });

  test("Stripe's balance transactions reconcile: each charge with its deposit, the payout line with the payout's movement", async () => {
    const { run } = await commitStripeStatement();
    expect(run).toMatchObject({ matched: amounts.length + 1, unmatchedLines: 0, unmatchedMovements: 0, exceptionsNew: 0 });
    const payoutMatch = await database.db.$queryRaw<{ amount: bigint }[]>`
      select l.amount from reconciliation_lines l join reconciliation_matches m on m.line_id = l.id where l.source = 'stripe' and l.reference = ${payout.id}`;
    expect(payoutMatch).toEqual([{ amount: BigInt(-total) }]);
    expect(await openExceptions("stripe")).toEqual([]);
  });

  test("the bank line receiving the payout matches it; a bank line for another amount is an amount mismatch naming the payout", async () => {
    const { run } = await commitBankStatement([`${payout.id},STRIPE PAYOUT,${(total / 100).toFixed(2)}`]);
    expect(run).toMatchObject({ matched: 1, unmatchedLines: 0, exceptionsNew: 0 });
    expect(await openExceptions("bank")).toEqual([]);

    await cardDeposit("CARD-PAYOUT-SHORT", 3_000);
    const short = await stripe.payouts.create({ amount: 3_000, currency: "usd" });
    await stripeFake.eventsDelivered();
    await commitBankStatement([`${short.id},STRIPE PAYOUT,29.99`]);
    expect(await openExceptions("bank")).toEqual([{ kind: "amount_mismatch", reference: short.id, statementAmount: 2_999n }]);
  });

  test("a payout the bank returns (payout.failed) comes back to Stripe's clearing account, and both Stripe lines match", async () => {
    await cardDeposit("CARD-PAYOUT-RETURNED", 2_500);
    const returned = await stripe.payouts.create({ amount: 2_500, currency: "usd" });
    await stripeFake.eventsDelivered();
    const before = await clearing("stripe");
    await stripeFake.failPayout(returned.id);
    expect(await clearing("stripe")).toBe(before - 2_500n);
    expect((await payoutTransactions(returned.id)).map((t) => [t.idempotency_key, t.account, t.amount])).toEqual([
      [`stripe-payout:${returned.id}`, "external:bank:USD", -2_500n],
      [`stripe-payout:${returned.id}`, "external:stripe:USD", 2_500n],
      [`stripe-payout-failure:${returned.id}`, "external:bank:USD", 2_500n],
      [`stripe-payout-failure:${returned.id}`, "external:stripe:USD", -2_500n],
    ]);
    const { run } = await commitStripeStatement();
    expect(run).toMatchObject({ unmatchedLines: 0, unmatchedMovements: 0, exceptionsNew: 0 });
    expect(await openExceptions("stripe")).toEqual([]);
  });

  test("the ledger verifies", async () => {
    const verification = await verifyLedger(database.db);
    expect(verification.checks.filter((c) => c.violations > 0)).toEqual([]);
  });
});
