import type { Db } from "@agrinet/db";
import { depositTransactionOptions } from "../deposits/deposit-transaction";
import { failDepositInTx } from "../deposits/fail-deposit";
import type { MpesaCollectionsSettings } from "./collections-settings";
import { appendMpesaCallback, claimDueStkQueries, lockMpesaPayment, nextStkQueryAt, scheduleStkQuery, scheduleStkSweeps } from "@agrinet/stores/mpesa-payments";
import { applyStkAnswer } from "./stk-deposits";

export type StkSweepResult = { asked: number; settled: number; stillProcessing: number; flagged: number; errors: number };

/** Longest wait between two queries of one payment. */
const maxBackoffMs = 10 * 60_000;
/** A claimed payment is left alone this long by other sweeps (a killed sweeper's reappear after it). */
const leaseMs = 60_000;

/**
 * The callback is advisory: every STK payment with no final answer after MPESA_STK_TIMEOUT_SECONDS
 * is asked about with STK Query, again with doubling waits while M-Pesa says it is still
 * processing, until it is final; after MPESA_STK_MAX_QUERIES unanswered queries it is flagged for
 * staff (it stays pending, and a late callback still settles it). A final answer goes through
 * `applyStkAnswer`, the same path as the callback: whichever comes first settles, once.
 */
export async function sweepStkQueries(options: {
  db: Db;
  settings: MpesaCollectionsSettings;
  batchSize?: number;
  onError?: (paymentId: string, error: unknown) => void;
}): Promise<StkSweepResult> {
  const { db, settings } = options;
  const result: StkSweepResult = { asked: 0, settled: 0, stillProcessing: 0, flagged: 0, errors: 0 };
  for (;;) {
    const due = await claimDueStkQueries(db, { limit: options.batchSize ?? 100, leaseMs });
    if (due.length === 0) break;
    await Promise.all(
      due.map(async (payment) => {
        try {
          await sweepOne(db, settings, payment, result);
        } catch (error) {
          result.errors += 1;
          options.onError?.(payment.id, error);
        }
      }),
    );
  }
  // The next sweep runs when the earliest planned query is due (a lease ending counts too).
  const next = await nextStkQueryAt(db);
  if (next) await scheduleStkSweeps(db, [next]);
  return result;
}

async function sweepOne(
  db: Db,
  settings: MpesaCollectionsSettings,
  payment: { id: string; depositId: string | null; checkoutRequestId: string | null; queries: number },
  result: StkSweepResult,
) {
  if (!payment.checkoutRequestId) {
    // The push's answer never arrived (Daraja unreachable, or this API died before recording
    // it) and no callback named the request since: nothing to ask about. No prompt is pending
    // any more, so the deposit fails; money that still arrives lands in suspense.
    await db.$transaction(async (tx) => {
      const locked = await lockMpesaPayment(tx, { id: payment.id });
      if (!locked || locked.state !== "requesting" || locked.checkoutRequestId) return;
      await tx.mpesaPayment.update({
        where: { id: payment.id },
        data: { state: "no_answer", resultCode: "MPESA_NO_ANSWER", resultDesc: "M-Pesa never acknowledged the payment request", nextQueryAt: null },
      });
      const deposit = locked.depositId ? await tx.deposit.findUnique({ where: { id: locked.depositId }, select: { status: true } }) : null;
      if (locked.depositId && deposit?.status === "pending") {
        await failDepositInTx(tx, { depositId: locked.depositId, reason: "M-Pesa never acknowledged the payment request", failureCode: "MPESA_NO_ANSWER" });
      }
    }, depositTransactionOptions);
    result.settled += 1;
    return;
  }
  result.asked += 1;
  const answer = await settings.client.stkQuery(payment.checkoutRequestId);
  if (answer.kind === "final") {
    await applyStkAnswer(db, {
      depositId: payment.depositId ?? undefined,
      answer: {
        source: "query",
        checkoutRequestId: payment.checkoutRequestId,
        resultCode: answer.resultCode,
        resultDesc: answer.resultDesc,
        raw: answer,
      },
    });
    result.settled += 1;
    return;
  }
  const queries = payment.queries + 1;
  await db.$transaction(async (tx) => {
    const locked = await lockMpesaPayment(tx, { id: payment.id });
    if (!locked || ["paid", "cancelled", "failed", "no_answer"].includes(locked.state)) return;
    await appendMpesaCallback(tx, payment.id, "stk-query", answer);
    if (queries >= settings.stkMaxQueries) {
      result.flagged += 1;
      await scheduleStkQuery(tx, payment.id, null, { queries, flaggedAt: new Date() });
      return;
    }
    result.stillProcessing += 1;
    const waitMs = Math.min(settings.stkTimeoutMs * 2 ** (queries - 1), maxBackoffMs);
    await scheduleStkQuery(tx, payment.id, new Date(Date.now() + waitMs), { queries });
  }, depositTransactionOptions);
}
