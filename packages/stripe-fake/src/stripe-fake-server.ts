import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createBalanceLedger } from "./balance-transactions";
import { parseStripeForm, type FormObject } from "./form-body";
import { sendStripeWebhook, stripeEvent } from "./webhooks";

export type StripeFakeOptions = {
  port?: number;
  host?: string;
  /** Platform balance available for transfers, in minor units of any currency; unlimited by default. */
  platformBalance?: bigint;
  /** Where the fake sends the events it raises itself (payout.paid, payout.failed), signed with `secret`. */
  webhook?: StripeFakeWebhook;
};

export type StripeFakeWebhook = { url: string; secret: string };

type StripeObject = Record<string, unknown> & { id: string };

export type StripeFake = {
  url: string;
  host: string;
  port: number;
  /** Every PaymentIntent the fake holds, oldest first. */
  paymentIntents(): StripeObject[];
  /** Every Transfer the fake made, oldest first. */
  transfers(): StripeObject[];
  /** Every balance transaction (charges in, transfers and payouts out), oldest first. */
  balanceTransactions(): StripeObject[];
  /** Every payout to the platform's bank, oldest first. */
  payouts(): StripeObject[];
  /** Where to send payout events from now on (a server started after the fake). */
  setWebhook(webhook: StripeFakeWebhook | null): void;
  /**
   * The bank returned a paid payout: it fails, its money comes back to the balance (a
   * `payout_failure` balance transaction) and `payout.failed` is sent. Resolves once delivered.
   */
  failPayout(payoutId: string, failureCode?: string): Promise<void>;
  /** Settles when every event the fake has sent so far has been answered. */
  eventsDelivered(): Promise<void>;
  /** How many API requests reached the fake, per "METHOD /path" (ids replaced by :id). */
  requestCounts(): Record<string, number>;
  stop(): Promise<void>;
};

type Answer = { status: number; body: unknown; headers?: Record<string, string> };

class StripeHttpError extends Error {
  constructor(
    readonly status: number,
    readonly error: Record<string, unknown>,
  ) {
    super(String(error.message));
  }
}

/**
 * Test payment methods, named like Stripe's own test tokens, and what confirming with them does.
 * Unknown `pm_card_*` names succeed like a Visa.
 */
const cardDeclines: Record<string, { code: string; decline_code: string; message: string }> = {
  pm_card_chargeDeclined: { code: "card_declined", decline_code: "generic_decline", message: "Your card was declined." },
  pm_card_chargeDeclinedInsufficientFunds: {
    code: "card_declined",
    decline_code: "insufficient_funds",
    message: "Your card has insufficient funds.",
  },
  pm_card_chargeDeclinedLostCard: { code: "card_declined", decline_code: "lost_card", message: "Your card was declined." },
  pm_card_chargeDeclinedExpiredCard: { code: "expired_card", decline_code: "expired_card", message: "Your card has expired." },
};
const authenticationRequired = new Set(["pm_card_threeDSecure2Required", "pm_card_authenticationRequired"]);

export async function startStripeFake(options: StripeFakeOptions = {}): Promise<StripeFake> {
  const paymentIntents = new Map<string, StripeObject>();
  const transfers: StripeObject[] = [];
  const payouts = new Map<string, StripeObject>();
  let webhook = options.webhook ?? null;
  const deliveries = new Set<Promise<void>>();
  const idempotent = new Map<string, { fingerprint: string; answer: Answer }>();
  const counts: Record<string, number> = {};
  const balanceLedger = createBalanceLedger();
  let balance = options.platformBalance;
  let baseUrl = "";

  function confirm(intent: StripeObject, params: FormObject) {
    if (typeof params.payment_method === "string") intent.payment_method = params.payment_method;
    if (typeof params.return_url === "string") intent.return_url = params.return_url;
    const method = intent.payment_method;
    if (typeof method !== "string") {
      throw invalidRequest("payment_method", "You cannot confirm this PaymentIntent because it's missing a payment method.");
    }
    if (!method.startsWith("pm_")) {
      throw invalidRequest("payment_method", `No such PaymentMethod: '${method}'`, "resource_missing");
    }
    const decline = cardDeclines[method];
    if (decline) {
      const charge = `ch_${randomId()}`;
      intent.status = "requires_payment_method";
      intent.last_payment_error = { type: "card_error", charge, ...decline, payment_method: { id: method, object: "payment_method" } };
      intent.latest_charge = charge;
      throw new StripeHttpError(402, {
        type: "card_error",
        charge,
        ...decline,
        doc_url: `https://docs.stripe.com/error-codes/${decline.code.replace(/_/g, "-")}`,
        payment_intent: { ...intent },
        request_log_url: null,
      });
    }
    if (authenticationRequired.has(method)) {
      intent.status = "requires_action";
      intent.next_action =
        typeof intent.return_url === "string"
          ? {
              type: "redirect_to_url",
              redirect_to_url: { url: `${baseUrl}/__fake/3ds/${intent.id}`, return_url: intent.return_url },
            }
          : { type: "use_stripe_sdk", use_stripe_sdk: { type: "three_d_secure_redirect", stripe_js: `${baseUrl}/__fake/3ds/${intent.id}` } };
      return intent;
    }
    succeed(intent);
    return intent;
  }

  function succeed(intent: StripeObject) {
    intent.status = "succeeded";
    intent.amount_received = intent.amount;
    intent.next_action = null;
    intent.last_payment_error = null;
    const charge = `ch_${randomId()}`;
    intent.latest_charge = charge;
    balanceLedger.record("charge", intent.amount as number, intent.currency as string, {
      id: charge,
      object: "charge",
      amount: intent.amount,
      currency: intent.currency,
      payment_intent: intent.id,
      description: intent.description,
    });
  }

  function createPaymentIntent(params: FormObject): Answer {
    const amount = positiveInteger(params.amount, "amount");
    const currency = requiredParam(params, "currency").toLowerCase();
    const id = `pi_${randomId()}`;
    const intent: StripeObject = {
      id,
      object: "payment_intent",
      amount,
      amount_received: 0,
      currency,
      status: "requires_payment_method",
      client_secret: `${id}_secret_${randomId()}`,
      metadata: params.metadata ?? {},
      payment_method: typeof params.payment_method === "string" ? params.payment_method : null,
      customer: typeof params.customer === "string" ? params.customer : null,
      description: typeof params.description === "string" ? params.description : null,
      next_action: null,
      last_payment_error: null,
      latest_charge: null,
      livemode: false,
      created: Math.floor(Date.now() / 1000),
    };
    if (intent.payment_method) intent.status = "requires_confirmation";
    paymentIntents.set(id, intent);
    if (params.confirm === "true") confirm(intent, params);
    return { status: 200, body: intent };
  }

  function createTransfer(params: FormObject): Answer {
    const amount = positiveInteger(params.amount, "amount");
    const currency = requiredParam(params, "currency").toLowerCase();
    const destination = requiredParam(params, "destination");
    if (!destination.startsWith("acct_") || destination.startsWith("acct_missing")) {
      throw invalidRequest("destination", `No such destination: '${destination}'`, "resource_missing");
    }
    if (balance !== undefined) {
      if (BigInt(amount) > balance) {
        throw new StripeHttpError(400, {
          type: "invalid_request_error",
          code: "balance_insufficient",
          message: "You have insufficient available funds in your Stripe account.",
        });
      }
      balance -= BigInt(amount);
    }
    const id = `tr_${randomId()}`;
    const transfer: StripeObject = {
      id,
      object: "transfer",
      amount,
      amount_reversed: 0,
      currency,
      destination,
      destination_payment: `py_${randomId()}`,
      balance_transaction: `txn_${randomId()}`,
      transfer_group: typeof params.transfer_group === "string" ? params.transfer_group : null,
      metadata: params.metadata ?? {},
      description: typeof params.description === "string" ? params.description : null,
      reversed: false,
      reversals: { object: "list", data: [], has_more: false, url: `/v1/transfers/${id}/reversals` },
      livemode: false,
      created: Math.floor(Date.now() / 1000),
    };
    transfers.push(transfer);
    balanceLedger.record("transfer", -amount, currency, transfer);
    return { status: 200, body: transfer };
  }

  function listTransfers(query: URLSearchParams): Answer {
    const group = query.get("transfer_group");
    const destination = query.get("destination");
    const limit = Math.min(Number(query.get("limit") ?? 10) || 10, 100);
    const matching = transfers
      .filter((t) => (group === null || t.transfer_group === group) && (destination === null || t.destination === destination))
      .reverse();
    return {
      status: 200,
      body: { object: "list", data: matching.slice(0, limit), has_more: matching.length > limit, url: "/v1/transfers" },
    };
  }

  /**
   * A payout of the platform's balance to its bank. One for exactly the available balance in
   * its currency covers every transaction not yet paid out (Stripe's `payout=` filter lists
   * them), as an automatic payout does; another amount covers none, as a manual one. It is
   * in transit when created and paid a moment later, with `payout.paid` sent to the webhook.
   */
  function createPayout(params: FormObject): Answer {
    const amount = positiveInteger(params.amount, "amount");
    const currency = requiredParam(params, "currency").toLowerCase();
    const available = balanceLedger.uncovered(currency);
    const availableNet = available.reduce((sum, e) => sum + (e.transaction.net as number), 0);
    if (amount > availableNet) {
      throw new StripeHttpError(400, {
        type: "invalid_request_error",
        code: "balance_insufficient",
        message: "You have insufficient funds in your Stripe account for this transfer.",
      });
    }
    const id = `po_${randomId()}`;
    const created = Math.floor(Date.now() / 1000);
    const payout: StripeObject = {
      id,
      object: "payout",
      amount,
      currency,
      arrival_date: created,
      automatic: amount === availableNet,
      balance_transaction: null,
      created,
      description: typeof params.description === "string" ? params.description : null,
      destination: "ba_fake_platform_bank",
      failure_balance_transaction: null,
      failure_code: null,
      failure_message: null,
      livemode: false,
      metadata: params.metadata ?? {},
      method: "standard",
      source_type: "card",
      statement_descriptor: typeof params.statement_descriptor === "string" ? params.statement_descriptor : null,
      status: "in_transit",
      type: "bank_account",
    };
    const transaction = balanceLedger.record("payout", -amount, currency, payout);
    payout.balance_transaction = transaction.id;
    if (amount === availableNet) balanceLedger.cover(available.map((e) => e.transaction.id), id);
    payouts.set(id, payout);
    setImmediate(() => {
      payout.status = "paid";
      deliver("payout.paid", payout);
    });
    return { status: 200, body: payout };
  }

  function findPayout(id: string): StripeObject {
    const payout = payouts.get(id);
    if (!payout) throw invalidRequest("id", `No such payout: '${id}'`, "resource_missing", 404);
    return payout;
  }

  function deliver(type: string, object: StripeObject) {
    if (!webhook) return;
    const target = webhook;
    const event = stripeEvent(type, structuredClone(object));
    const delivery = (async () => {
      // Like Stripe, retried while the endpoint does not answer 2xx (here a few times, quickly).
      for (let attempt = 0; attempt < 5; attempt++) {
        const answer = await sendStripeWebhook({ url: target.url, event, secret: target.secret }).catch(() => ({ status: 0 }));
        if (answer.status >= 200 && answer.status < 300) return;
        await new Promise((resolve) => setTimeout(resolve, 100 * (attempt + 1)));
      }
    })();
    deliveries.add(delivery);
    void delivery.finally(() => deliveries.delete(delivery));
  }

  function findIntent(id: string): StripeObject {
    const intent = paymentIntents.get(id);
    if (!intent) throw invalidRequest("intent", `No such payment_intent: '${id}'`, "resource_missing", 404);
    return intent;
  }

  function route(method: string, path: string, query: URLSearchParams, params: FormObject): Answer {
    let match: RegExpExecArray | null;
    if (method === "POST" && path === "/v1/payment_intents") return createPaymentIntent(params);
    if ((match = /^\/v1\/payment_intents\/([^/]+)\/confirm$/.exec(path)) && method === "POST") {
      const intent = findIntent(match[1] as string);
      if (intent.status === "succeeded") {
        throw new StripeHttpError(400, {
          type: "invalid_request_error",
          code: "payment_intent_unexpected_state",
          message: "This PaymentIntent's status is succeeded, so it cannot be confirmed.",
        });
      }
      return { status: 200, body: confirm(intent, params) };
    }
    if ((match = /^\/v1\/payment_intents\/([^/]+)$/.exec(path)) && method === "GET") {
      return { status: 200, body: findIntent(match[1] as string) };
    }
    if (method === "POST" && path === "/v1/transfers") return createTransfer(params);
    if (method === "GET" && path === "/v1/transfers") return listTransfers(query);
    if (method === "GET" && path === "/v1/balance_transactions") return { status: 200, body: balanceLedger.list(query) };
    if (method === "POST" && path === "/v1/payouts") return createPayout(params);
    if ((match = /^\/v1\/payouts\/([^/]+)$/.exec(path)) && method === "GET") return { status: 200, body: findPayout(match[1] as string) };
    if ((match = /^\/v1\/transfers\/([^/]+)$/.exec(path)) && method === "GET") {
      const transfer = transfers.find((t) => t.id === match?.[1]);
      if (!transfer) throw invalidRequest("id", `No such transfer: '${match[1]}'`, "resource_missing", 404);
      return { status: 200, body: transfer };
    }
    throw invalidRequest("path", `Unrecognized request URL (${method}: ${path}).`, undefined, 404);
  }

  async function handle(request: IncomingMessage): Promise<Answer> {
    const url = new URL(request.url ?? "/", "http://stripe.local");
    const method = request.method ?? "GET";
    const counted = `${method} ${url.pathname.replace(/\/(pi|tr|po)_[A-Za-z0-9]+/g, "/:id")}`;
    counts[counted] = (counts[counted] ?? 0) + 1;

    if (method === "GET" && url.pathname.startsWith("/__fake/3ds/")) {
      // The customer "authenticates": the intent succeeds and the browser goes back.
      const intent = findIntent(url.pathname.slice("/__fake/3ds/".length));
      succeed(intent);
      const back = typeof intent.return_url === "string" ? `${intent.return_url}${intent.return_url.includes("?") ? "&" : "?"}payment_intent=${intent.id}` : null;
      return back ? { status: 302, body: "", headers: { location: back } } : { status: 200, body: { authenticated: intent.id } };
    }

    const authorization = request.headers.authorization ?? "";
    const apiKey = authorization.startsWith("Bearer ") ? authorization.slice(7) : "";
    if (!/^(sk|rk)_(test|live)_/.test(apiKey)) {
      return {
        status: 401,
        body: { error: { type: "invalid_request_error", message: `Invalid API Key provided: ${apiKey.slice(0, 8)}***` } },
      };
    }
    const rawBody = await readBody(request);
    const params = method === "POST" ? parseStripeForm(rawBody) : {};
    const key = request.headers["idempotency-key"];
    const idempotencyKey = method === "POST" && typeof key === "string" ? `${apiKey}\n${url.pathname}\n${key}` : undefined;
    if (idempotencyKey) {
      const saved = idempotent.get(idempotencyKey);
      if (saved) {
        if (saved.fingerprint !== rawBody) {
          return {
            status: 400,
            body: {
              error: {
                type: "idempotency_error",
                message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${String(key)}' if you meant to execute a different request.`,
              },
            },
          };
        }
        return { ...saved.answer, headers: { ...saved.answer.headers, "idempotent-replayed": "true" } };
      }
    }
    let answer: Answer;
    try {
      answer = route(method, url.pathname, url.searchParams, params);
    } catch (error) {
      if (!(error instanceof StripeHttpError)) throw error;
      answer = { status: error.status, body: { error: error.error } };
    }
    // Like Stripe: a request that ran is saved under its key (declines included); one
    // rejected for its parameters is not, so a corrected retry may reuse the key.
    if (idempotencyKey && (answer.status < 400 || answer.status === 402)) {
      answer = { ...answer, body: structuredClone(answer.body) };
      idempotent.set(idempotencyKey, { fingerprint: rawBody, answer });
    }
    return answer;
  }

  const server = createServer((request, response) => {
    handle(request).then(
      (answer) => send(response, answer),
      (error: unknown) =>
        send(response, { status: 500, body: { error: { type: "api_error", message: `fake Stripe failed: ${String(error)}` } } }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  baseUrl = `http://${address.address}:${address.port}`;

  return {
    url: baseUrl,
    host: address.address,
    port: address.port,
    paymentIntents: () => [...paymentIntents.values()].map((i) => structuredClone(i)),
    transfers: () => transfers.map((t) => structuredClone(t)),
    balanceTransactions: balanceLedger.transactions,
    payouts: () => [...payouts.values()].map((p) => structuredClone(p)),
    setWebhook: (next) => {
      webhook = next;
    },
    failPayout: async (payoutId, failureCode = "account_closed") => {
      await Promise.all([...deliveries]);
      const payout = findPayout(payoutId);
      payout.status = "failed";
      payout.failure_code = failureCode;
      payout.failure_message = "The bank account has been closed.";
      const returned = balanceLedger.record("payout_failure", payout.amount as number, payout.currency as string, payout);
      payout.failure_balance_transaction = returned.id;
      deliver("payout.failed", payout);
      await Promise.all([...deliveries]);
    },
    eventsDelivered: async () => {
      while (deliveries.size > 0) await Promise.all([...deliveries]);
    },
    requestCounts: () => ({ ...counts }),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function send(response: ServerResponse, answer: Answer) {
  const text = typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
  response.writeHead(answer.status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    "request-id": `req_${randomId()}`,
    ...answer.headers,
  });
  response.end(text);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function randomId() {
  return randomBytes(12).toString("base64url").replace(/[-_]/g, "x");
}

function invalidRequest(param: string, message: string, code?: string, status = 400) {
  return new StripeHttpError(status, { type: "invalid_request_error", param, message, ...(code ? { code } : {}) });
}

function requiredParam(params: FormObject, name: string): string {
  const value = params[name];
  if (typeof value !== "string" || value === "") throw invalidRequest(name, `Missing required param: ${name}.`, "parameter_missing");
  return value;
}

function positiveInteger(value: unknown, name: string): number {
  const amount = Number(value);
  if (typeof value !== "string" || !Number.isSafeInteger(amount) || amount <= 0) {
    throw invalidRequest(name, `Invalid positive integer: ${name}`, "parameter_invalid_integer");
  }
  return amount;
}
