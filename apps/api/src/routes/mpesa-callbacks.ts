import { DomainError } from "@agrinet/core";
import {
  handleMpesaB2cResult,
  handleMpesaQueueTimeout,
  handleMpesaStatusResult,
  type MpesaCallbackResult,
  type PayoutRuntime,
} from "@agrinet/domain";
import { darajaCallbackPaths, darajaCallbackTokenCheck } from "@agrinet/rails";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { darajaCallbackErrors } from "../rest/error-envelope";

export type MpesaCallbackRoutesOptions = {
  /** The API process's payout runtime: confirmed payouts settle together, in batches. */
  runtime: PayoutRuntime;
  /** MPESA_CALLBACK_TOKEN: every callback URL carries it. */
  callbackToken: string;
  maxAttempts: number;
};

/**
 * Daraja's acknowledgement body; anything else makes it retry the callback. Serialised once: it
 * is the answer to both callbacks of every payout.
 */
const accepted = JSON.stringify({ ResultCode: 0, ResultDesc: "Accepted" });

/**
 * Daraja's asynchronous results, mounted under /payments/mpesa (MPESA_CALLBACK_BASE_URL).
 * Daraja signs nothing: the secret token in the URL is checked first, and the handlers then
 * trust only what the transaction-status query confirms. Refusals are answered by
 * `darajaCallbackErrors` (Daraja's body, the status from the one table).
 */
export async function mpesaCallbackRoutes(fastify: FastifyInstance, options: MpesaCallbackRoutesOptions) {
  const base = { runtime: options.runtime, maxAttempts: options.maxAttempts };

  const tokenMatches = darajaCallbackTokenCheck(options.callbackToken);
  function authorize(request: FastifyRequest) {
    const { token } = request.query as { token?: string };
    if (!tokenMatches(token)) {
      throw new DomainError("UNAUTHORIZED", "callback token missing or wrong");
    }
  }

  /** The request a status answer is about: `key` (its provider key); `payoutId` in queries made before provider keys. */
  function providerKeyOf(request: FastifyRequest): string {
    const { key, payoutId } = request.query as { key?: string; payoutId?: string };
    const providerKey = key || payoutId;
    if (!providerKey || typeof providerKey !== "string") throw new DomainError("VALIDATION_FAILED", "key is required in the callback URL", { fields: [{ path: "key", message: "is required" }] });
    return providerKey;
  }

  // Two callbacks arrive per payout: at info level their request lines and outcome would be most
  // of the log (and a measurable share of the CPU) under a payout run. Refusals still warn.
  // Daraja's servers call these, never a browser: no CORS headers to work out. Nor a rate limit
  // (exemptFromRateLimit in app.ts says why): without its hook on these routes, the two callbacks
  // of every payout skip the limiter's key and allow-list work altogether.
  const route = (path: string, handle: (request: FastifyRequest) => Promise<MpesaCallbackResult>) =>
    fastify.post(
      path,
      { logLevel: "warn", config: { cors: false, rateLimit: false }, errorHandler: darajaCallbackErrors },
      async (request, reply) => {
        authorize(request);
        const result = await handle(request);
        request.log.debug({ payoutId: result.payoutId, action: result.action }, "M-Pesa callback");
        return reply.type("application/json").send(accepted);
      },
    );

  route(darajaCallbackPaths.b2cResult, (request) => handleMpesaB2cResult({ ...base, body: request.body }));
  route(darajaCallbackPaths.b2cQueueTimeout, (request) => handleMpesaQueueTimeout({ ...base, body: request.body }));
  route(darajaCallbackPaths.statusResult, (request) =>
    handleMpesaStatusResult({ ...base, body: request.body, providerKey: providerKeyOf(request) }),
  );
  // The status query itself timed out in Daraja's queue: the scheduled status check asks again.
  route(darajaCallbackPaths.statusQueueTimeout, async (request) => ({ payoutId: providerKeyOf(request), action: "waiting" }));
}
