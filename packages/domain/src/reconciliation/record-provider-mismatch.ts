import { currencyExponent, isSupportedCurrency } from "@agrinet/core";
import type { Db, Tx } from "@agrinet/db";
import { insertEventException } from "@agrinet/stores/reconciliation";
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

/**
 * M-Pesa confirmed a payout's receipt for another amount than the payout's (the payout is left
 * unsettled for an operator): the mismatch joins the queue, once per payout, receipt and amount.
 */
export async function recordMpesaPayoutMismatch(
  db: Db,
  input: { payoutId: string; receipt: string | undefined; wholeUnits: unknown },
): Promise<void> {
  const payout = await db.payout.findUnique({ where: { id: input.payoutId }, select: { amount: true, currency: true } });
  if (!payout || !isSupportedCurrency(payout.currency)) return;
  const whole = typeof input.wholeUnits === "number" && Number.isSafeInteger(input.wholeUnits) ? BigInt(input.wholeUnits) : null;
  await recordProviderMismatch(db, {
    source: "mpesa",
    eventKey: `payout:${input.payoutId}:${input.receipt ?? ""}:${String(input.wholeUnits)}`,
    reference: input.receipt ?? input.payoutId,
    kind: "amount_mismatch",
    // Money out: negative from the M-Pesa account's side, as on its statement.
    ourAmount: -payout.amount,
    theirAmount: whole === null ? null : -whole * 10n ** BigInt(currencyExponent(payout.currency)),
    currency: payout.currency,
    detail: `payout ${input.payoutId}: M-Pesa confirmed ${String(input.wholeUnits)} ${payout.currency} for receipt ${input.receipt ?? "?"}`,
  });
}
