import { DomainError } from "@agrinet/core";
import type { Db } from "@agrinet/db";
import { handleStripeEvent, handleStripePayoutEvent, recordStripePlatformPayout, type StripePayoutEvent } from "@agrinet/domain";
import { verifyStripeWebhook } from "@agrinet/rails";
import type { FastifyInstance } from "fastify";
import rawBody from "fastify-raw-body";
import type Stripe from "stripe";

export type StripeWebhookRoutesOptions = {
  db: Db;
  /** PAYOUTS_WEBHOOK_SECRET. */
  secret: string;
  /** Asks Stripe about a platform payout its event names; without it those events are only stored. */
  stripe?: Stripe | null;
};

/** The platform's own payout to its bank (a connected account's event names the account). */
function platformPayoutId(event: Stripe.Event): string | null {
  if ((event.type !== "payout.paid" && event.type !== "payout.failed") || event.account) return null;
  return event.data.object.id;
}

/**
 * POST /payments/stripe/webhook. Authenticated by Stripe's signature over the raw bytes, not by
 * credentials. A bad or missing signature gets 400 and leaves nothing behind but a log line; a
 * verified event is applied once (see handleStripeEvent) and acknowledged with 200, replays too.
 */
export async function stripeWebhookRoutes(fastify: FastifyInstance, options: StripeWebhookRoutesOptions) {
  await fastify.register(rawBody, { field: "rawBody", global: false, encoding: false, runFirst: true });

  const openapi = {
    operationId: "stripeWebhook",
    summary: "Stripe webhook endpoint (authenticated by the Stripe-Signature header)",
    tags: ["webhooks"],
    security: [],
    parameters: [{ name: "stripe-signature", in: "header", required: true, schema: { type: "string" } }],
    requestBody: { required: true, content: { "application/json": { schema: { type: "object" } } } },
    responses: {
      "200": { description: "Acknowledged (replays too)", content: { "application/json": {} } },
      "400": { $ref: "#/components/responses/BadRequest" },
    },
    errorStatuses: [413, 415],
  };

  fastify.post("/payments/stripe/webhook", { config: { rawBody: true, openapi } }, async (request, reply) => {
    let event;
    try {
      event = verifyStripeWebhook({
        payload: request.rawBody ?? "",
        signature: request.headers["stripe-signature"],
        secret: options.secret,
      });
    } catch (error) {
      request.log.warn({ err: error, ip: request.ip }, "stripe webhook refused: signature did not verify");
      throw new DomainError("VALIDATION_FAILED", "invalid Stripe signature", {
        fields: [{ path: "stripe-signature", message: "missing, or does not match the body" }],
      });
    }
    const result = await handleStripeEvent({ db: options.db, event });
    // Transfer and payout events were stored once above; the payout side settles after that
    // commit and is itself idempotent on the payout's state.
    if (!result.replayed && (event.type.startsWith("transfer.") || event.type.startsWith("payout."))) {
      await handleStripePayoutEvent({ db: options.db, event: event as unknown as StripePayoutEvent });
    }
    // Replays too: the postings are keyed by the payout, and a delivery whose query to Stripe
    // failed (answered 503 after the event was stored) is retried by Stripe and must post then.
    const payoutId = platformPayoutId(event);
    if (payoutId && options.stripe) {
      const payoutOutcome = await recordStripePlatformPayout({ db: options.db, stripe: options.stripe, payoutId });
      request.log.info({ eventId: event.id, payoutId, payoutOutcome }, "stripe platform payout recorded");
    }
    request.log.info({ eventId: event.id, type: event.type, ...result }, "stripe webhook handled");
    return reply.send({ received: true, replayed: result.replayed, outcome: result.outcome });
  });
}
