import type { Db, Tx } from "@agrinet/db";
import { insertEventException } from "./reconciliation-store";
import type { ReconciliationSource } from "./statement-types";

/**
 * A provider told us of money that differs from our record (a Stripe payment for another
 * amount or currency than its deposit, an M-Pesa result for another amount than its payout):
 * the exception joins the queue once per event, whatever the handler then does with it.
 */
export async function recordProviderMismatch(
  client: Db | Tx,
  input: {
    source: ReconciliationSource;
    /** Unique per provider event, e.g. the Stripe event id or the payout id and receipt. */
    eventKey: string;
    reference: string;
    kind: "amount_mismatch" | "currency_mismatch";
    ourAmount: bigint;
    theirAmount: bigint | null;
    currency: string;
    detail: string;
  },
): Promise<void> {
  await insertEventException(client, {
    key: `${input.source}:${input.eventKey}`,
    source: input.source,
    kind: input.kind,
    reference: input.reference,
    ledgerAmount: input.ourAmount,
    statementAmount: input.theirAmount,
    currency: input.currency,
    detail: input.detail,
  });
}
