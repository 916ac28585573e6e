import { BlockList, isIPv6 } from "node:net";
import { DomainError } from "@agrinet/core";
import type { Db } from "@agrinet/db";
import {
  applyStkAnswer,
  confirmC2bPayment,
  handleReversalResult,
  validateC2bPayment,
  type C2bSettings,
  type MpesaCollectionsClient,
} from "@agrinet/domain";
import { darajaCallbackTokenCheck, darajaCollectionPaths, parseStkCallback } from "@agrinet/rails";
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { darajaCallbackErrors } from "../rest/error-envelope";

export type MpesaCollectionRoutesOptions = {
  db: Db;
  c2b: C2bSettings;
  /** MPESA_CALLBACK_TOKEN: every callback URL carries it. */
  callbackToken: string;
  /** MPESA_CALLBACK_ALLOWED_IPS: when non-empty, callbacks from other addresses get 403. */
  allowedIps: string[];
};

const accepted = JSON.stringify({ ResultCode: 0, ResultDesc: "Accepted" });
const unmatchedLogMessage = "unmatched M-Pesa payment held in suspense for staff";

/** An allow-list of addresses and CIDR ranges; null when empty (any address). */
export function callbackSourceCheck(entries: string[]): ((ip: string) => boolean) | null {
  if (entries.length === 0) return null;
  const list = new BlockList();
  for (const entry of entries) {
    const [address, prefix] = entry.split("/");
    const type = isIPv6(address!) ? "ipv6" : "ipv4";
    if (prefix === undefined) list.addAddress(address!, type);
    else list.addSubnet(address!, Number(prefix), type);
  }
  return (ip) => {
    const plain = ip.startsWith("::ffff:") ? ip.slice(7) : ip;
    return list.check(plain, isIPv6(plain) ? "ipv6" : "ipv4");
  };
}

/**
 * Daraja's collections callbacks: STK results and reversal results under /payments/mpesa,
 * C2B validation and confirmation under /payments/paybill (registered separately: Daraja refuses
 * C2B URLs containing "mpesa"). Nothing is signed: the URL token (and the optional source-address
 * allow-list) is checked first, and each handler treats what it is told as advisory — the
 * payment row's lock and the receipt's uniqueness make every replay a no-op.
 */
export async function mpesaCollectionRoutes(fastify: FastifyInstance, options: MpesaCollectionRoutesOptions) {
  const tokenMatches = darajaCallbackTokenCheck(options.callbackToken);
  const sourceAllowed = callbackSourceCheck(options.allowedIps);

  function authorize(request: FastifyRequest) {
    if (sourceAllowed && !sourceAllowed(request.ip)) {
      throw new DomainError("FORBIDDEN", `callbacks are not accepted from ${request.ip}`);
    }
    const { token } = request.query as { token?: string };
    if (!tokenMatches(token)) throw new DomainError("UNAUTHORIZED", "callback token missing or wrong");
  }

  const route = (path: string, handle: (request: FastifyRequest, reply: FastifyReply) => Promise<string>) =>
    fastify.post(
      path,
      { logLevel: "warn", config: { cors: false, rateLimit: false }, errorHandler: darajaCallbackErrors },
      async (request, reply) => {
        authorize(request);
        const answer = await handle(request, reply);
        return reply.type("application/json").send(answer);
      },
    );

  const queryParam = (request: FastifyRequest, name: string) => {
    const value = (request.query as Record<string, string | undefined>)[name];
    if (!value) throw new DomainError("VALIDATION_FAILED", `${name} is required in the callback URL`, { fields: [{ path: name, message: "is required" }] });
    return value;
  };

  route(`/payments/mpesa${darajaCollectionPaths.stkCallback}`, async (request) => {
    const callback = parseStkCallback(request.body);
    const { depositId } = request.query as { depositId?: string };
    const result = await applyStkAnswer(options.db, {
      depositId,
      answer: { source: "callback", ...callback, raw: request.body },
    });
    if (result.outcome === "suspense") {
      request.log.warn({ depositId: result.depositId, checkoutRequestId: callback.checkoutRequestId }, unmatchedLogMessage);
    } else {
      request.log.debug({ depositId: result.depositId, outcome: result.outcome }, "STK callback");
    }
    return accepted;
  });
  route(`/payments/mpesa${darajaCollectionPaths.reversalResult}`, async (request) => {
    await handleReversalResult({ db: options.db, paymentId: queryParam(request, "paymentId"), body: request.body });
    return accepted;
  });
  route(`/payments/mpesa${darajaCollectionPaths.reversalTimeout}`, async (request) => {
    await handleReversalResult({ db: options.db, paymentId: queryParam(request, "paymentId"), body: request.body, timedOut: true });
    return accepted;
  });
  route(`/payments/paybill${darajaCollectionPaths.c2bValidation}`, async (request) => {
    return JSON.stringify(await validateC2bPayment({ db: options.db, settings: options.c2b, body: request.body }));
  });
  route(`/payments/paybill${darajaCollectionPaths.c2bConfirmation}`, async (request) => {
    const result = await confirmC2bPayment({ db: options.db, settings: options.c2b, body: request.body });
    if (result.outcome === "suspense") request.log.warn({ paymentId: result.paymentId }, unmatchedLogMessage);
    else request.log.info({ paymentId: result.paymentId, outcome: result.outcome, depositId: result.deposit?.id }, "C2B confirmation");
    return accepted;
  });
}

/**
 * Registers the paybill's validation and confirmation URLs with Daraja, retrying while Daraja
 * (or the local sandbox, started beside the API) is not answering. Runs in the background.
 */
export function registerC2bUrlsInBackground(client: MpesaCollectionsClient, log: FastifyBaseLogger, attempts = 30): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const attempt = async (left: number) => {
    if (stopped) return;
    const result = await client.registerC2bUrls();
    if (result.ok) {
      log.info({ shortcode: client.c2bShortcode }, "registered the C2B paybill URLs with M-Pesa");
      return;
    }
    if (left <= 1 || result.code === "INVALID_URL") {
      log.error({ code: result.code, message: result.message }, "could not register the C2B paybill URLs with M-Pesa");
      return;
    }
    timer = setTimeout(() => void attempt(left - 1), 2_000);
  };
  void attempt(attempts);
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
