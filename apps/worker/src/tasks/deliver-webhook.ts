import type { Db } from "@agrinet/db";
import { attemptWebhookDelivery, giveUpWebhookDelivery } from "@agrinet/domain";
import type { JobTask } from "@agrinet/job-queue";
import { z } from "zod";

const payloadSchema = z.object({ deliveryId: z.string().regex(/^\d+$/) });

/**
 * One delivery attempt. Throwing hands the job back to the queue, whose exponential
 * backoff schedules the next try; refusals (other 4xx) end it without a throw.
 */
export function deliverWebhook(options: { db: Db; timeoutMs?: number; allowPrivateAddresses?: boolean }): JobTask<"deliverWebhook"> {
  return async (rawPayload, helpers) => {
    const { deliveryId } = payloadSchema.parse(rawPayload);
    const result = await attemptWebhookDelivery({
      db: options.db,
      deliveryId: BigInt(deliveryId),
      timeoutMs: options.timeoutMs,
      allowPrivateAddresses: options.allowPrivateAddresses,
    });
    if (result.outcome !== "retry") return;
    if (helpers.job.attempts >= helpers.job.max_attempts) {
      await giveUpWebhookDelivery({ db: options.db, deliveryId: BigInt(deliveryId) });
      helpers.logger.warn(`webhook delivery ${deliveryId} failed for good: ${result.error}`);
      return;
    }
    throw new Error(`webhook delivery ${deliveryId}: ${result.error}; will retry`);
  };
}
