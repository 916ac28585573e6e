import { currencyExponent, DomainError, validationError, type CurrencyCode } from "@agrinet/core";
import { inPgTransaction, type Db, type Deposit, type MpesaPayment, type TxClient } from "@agrinet/db";
import { describeStkResult } from "@agrinet/rails";
import { readDeposit } from "@agrinet/stores/deposits";
import { confirmDepositsInTx } from "../deposits/confirm-deposit";
import { depositTransactionOptions } from "../deposits/deposit-transaction";
import { failDepositInTx } from "../deposits/fail-deposit";
import { mpesaCountries } from "../payouts/payout-destination";
import type { MpesaCollectionsSettings } from "./collections-settings";
import { createGroupCommit } from "../shared/group-commit";
import type { DepositStkPayment } from "@agrinet/stores/deposits";
import {
  insertUnknownStkPayment,
  lockMpesaPayment,
  lockStkAnswerRows,
  mpesaPaymentDepositId,
  newMpesaPaymentId,
  recordMpesaReceipt,
  recordStkPaidToSuspense,
  recordStkPushesAccepted,
  writeStkAnswers,
  type AcceptedStkPush,
  type StkAnswerWrite,
} from "@agrinet/stores/mpesa-payments";
import { creditSuspense } from "./suspense";

/** What an STK deposit's answer to `POST /deposit` tells the client to wait for. */
export type StkNextAction = { type: "mpesa_stk_push"; checkoutRequestId: string };

const finalStates = new Set(["paid", "cancelled", "failed", "no_answer"]);

/**
 * Checks an STK deposit before anything is recorded: the phone's country must use the deposit's
 * currency (as for payouts), and M-Pesa moves whole units only.
 */
export function checkStkDeposit(input: { phoneNumber: string; currency: string; amount: bigint }): void {
  const country = mpesaCountries[input.phoneNumber.slice(1, 4) as keyof typeof mpesaCountries];
  if (!country) {
    throw validationError([{ path: "phoneNumber", message: `unsupported country code; supported: ${Object.keys(mpesaCountries).map((c) => `+${c}`).join(", ")}` }]);
  }
  if (country.currency !== input.currency) {
    throw validationError([{ path: "currency", message: `an M-Pesa number in ${country.country} pays in ${country.currency}, not ${input.currency}` }]);
  }
  const factor = 10n ** BigInt(currencyExponent(input.currency as CurrencyCode));
  if (input.amount % factor !== 0n) {
    throw validationError([{ path: "amount", message: `M-Pesa collects whole ${input.currency} amounts: a multiple of ${factor} minor units` }]);
  }
}

/**
 * The payment row of an STK deposit about to be recorded: it is inserted in the deposit's own
 * statement (createDeposit), before the push, so whatever happens next — a callback racing the
 * push's answer, this process dying — the callback or the sweeper finds it. Its STK Query is due
 * after MPESA_STK_TIMEOUT_SECONDS.
 */
export function newStkPayment(settings: MpesaCollectionsSettings, depositId: string, phoneNumber: string): DepositStkPayment {
  return {
    id: newMpesaPaymentId(),
    phoneNumber,
    accountReference: depositId.slice(-12),
    queryAt: new Date(Date.now() + settings.stkTimeoutMs),
  };
}

/**
 * A sweep job still this far in the future cannot have run, whatever the skew between this
 * process's clock and the database's: a payment due by then is found by it.
 */
const sweepSlotMarginMs = 2_000;

/** The whole second whose sweep job runs the payment's STK Query. */
export function sweepSlotOf(payment: DepositStkPayment): Date {
  return new Date(Math.ceil(payment.queryAt.getTime() / 1000) * 1000);
}

/**
 * The STK Query sweep jobs this process scheduled (as whole seconds) that cannot have run yet.
 * Every payment's query needs a sweep job at or after it; scheduling one per insert statement
 * rewrote the same job row for every batch of the same second and sent its NOTIFY, which
 * PostgreSQL commits one transaction at a time. Now each second's job is scheduled once.
 */
export function pendingSweepSlots() {
  const scheduled = new Set<number>();
  return {
    missing(payments: DepositStkPayment[]): Date[] {
      const soonest = Date.now() + sweepSlotMarginMs;
      for (const slot of scheduled) if (slot * 1000 < soonest) scheduled.delete(slot);
      const slots = new Set(payments.map((payment) => sweepSlotOf(payment).getTime() / 1000));
      return [...slots].filter((slot) => !scheduled.has(slot)).map((slot) => new Date(slot * 1000));
    },
    scheduled(slots: Date[]) {
      const soonest = Date.now() + sweepSlotMarginMs;
      for (const slot of slots) if (slot.getTime() >= soonest) scheduled.add(slot.getTime() / 1000);
    },
  };
}

const acceptCombiners = new WeakMap<Db, (push: AcceptedStkPush) => Promise<Deposit | null>>();

/**
 * Records Daraja's acknowledgement, group-committed: pushes answered together share one statement
 * and one commit. The deposit if a callback already settled it; null while it is pending as created.
 */
function recordAccepted(db: Db, push: AcceptedStkPush): Promise<Deposit | null> {
  let accepted = acceptCombiners.get(db);
  if (!accepted) {
    accepted = createGroupCommit<AcceptedStkPush, Deposit | null>({
      run: async (pushes) => {
        const deposits = await recordStkPushesAccepted(db.$pool, pushes);
        return pushes.map((push) => deposits.get(push.id) ?? null);
      },
      runAlone: async (push) => (await recordStkPushesAccepted(db.$pool, [push])).get(push.id) ?? null,
    });
    acceptCombiners.set(db, accepted);
  }
  return accepted(push);
}

/** Sends the STK Push for a pending deposit just recorded with its payment row (`newStkPayment`). */
export async function requestStkPush(
  db: Db,
  settings: MpesaCollectionsSettings,
  deposit: Deposit,
  payment: DepositStkPayment,
): Promise<{ deposit: Deposit; nextAction: StkNextAction | null }> {
  const paymentId = payment.id;
  const outcome = await settings.client.stkPush({
    depositId: deposit.id,
    amount: deposit.amount,
    currency: deposit.currency,
    phoneNumber: payment.phoneNumber,
    accountReference: payment.accountReference,
    description: "Agrinet deposit",
  });
  if (outcome.kind === "accepted") {
    const current = await recordAccepted(db, { id: paymentId, checkoutRequestId: outcome.checkoutRequestId, merchantRequestId: outcome.merchantRequestId });
    return { deposit: current ?? deposit, nextAction: { type: "mpesa_stk_push", checkoutRequestId: outcome.checkoutRequestId } };
  }
  if (outcome.kind === "refused") {
    // Daraja answered no: no prompt went out, so nothing can arrive for this request.
    const failed = await db.$transaction(async (tx) => {
      const payment = await lockMpesaPayment(tx, { id: paymentId });
      if (payment?.state !== "requesting") return null;
      await tx.mpesaPayment.update({
        where: { id: paymentId },
        data: { state: "failed", resultCode: outcome.code, resultDesc: outcome.message, nextQueryAt: null },
      });
      return failPendingDeposit(tx, deposit.id, `M-Pesa refused the payment request: ${outcome.message}`, outcome.code);
    }, depositTransactionOptions);
    return { deposit: failed ?? (await db.deposit.findUniqueOrThrow({ where: { id: deposit.id } })), nextAction: null };
  }
  // No answer: a prompt may be on the payer's phone. The deposit stays pending; a callback
  // settles it, or the sweeper fails it once the timeout passes without one.
  throw new DomainError("SERVICE_UNAVAILABLE", `M-Pesa did not answer the payment request (${outcome.message}); deposit ${deposit.id} stays pending and settles when M-Pesa reports`, {
    details: { depositId: deposit.id, status: "pending" },
  });
}

export type StkAnswer = {
  source: "callback" | "query";
  checkoutRequestId: string;
  resultCode: string;
  resultDesc: string;
  /** Whole units, from a success callback. */
  amount?: number | undefined;
  receipt?: string | undefined;
  phoneNumber?: string | undefined;
  raw: unknown;
};

export type AppliedStkAnswer = {
  outcome:
    | "confirmed"
    | "failed"
    | "suspense"
    | "already_final"
    | "unknown_request"
    | "checkout_mismatch"
    | "duplicate_receipt";
  depositId: string | null;
};

export type StkAnswerRequest = { depositId?: string | undefined; answer: StkAnswer };

/** Answers per group-committed transaction: enough to amortise a commit, short enough to hold locks briefly. */
const maxAnswersPerBatch = 200;
const combiners = new WeakMap<Db, (request: StkAnswerRequest) => Promise<AppliedStkAnswer>>();

/**
 * Applies what M-Pesa said about an STK Push — its callback or an STK Query answer. Answers
 * arriving together in this process are applied together (group commit, see applyStkAnswers): a
 * lone answer is a batch of one, the same code.
 */
export function applyStkAnswer(db: Db, request: StkAnswerRequest): Promise<AppliedStkAnswer> {
  let combiner = combiners.get(db);
  if (!combiner) {
    combiner = createGroupCommit<StkAnswerRequest, AppliedStkAnswer>({
      // One payment at most once per batch: two answers about it stay ordered, as on its row lock.
      key: (request) => request.answer.checkoutRequestId,
      maxBatch: maxAnswersPerBatch,
      // One batch at a time, gathering for 2 ms: every credit posts to the one M-Pesa clearing
      // account, so two batches at once mostly waited for each other's lock on its balance while
      // each paid its own statements and commit. With this, bench:collections was faster in 6 of
      // 7 A/B pairs against two at once without the wait (mean +4%), PostgreSQL ~12% less CPU
      // per deposit; the credits end ~0.45 s after the last request (0.1–0.2 s before), as the
      // sandbox's 64 callback connections each wait for a longer batch.
      gatherMs: 2,
      run: (requests) => applyStkAnswers(db, requests),
      runAlone: async (request) => (await applyStkAnswers(db, [request]))[0]!,
    });
    combiners.set(db, combiner);
  }
  return combiner(request);
}

/**
 * Applies answers about STK Pushes in one transaction with their payment rows locked (in id
 * order, then their deposits'), so callbacks, duplicates and query answers in any order and number
 * settle each deposit once: the credits through `confirmDepositsInTx` (the one deposit credit,
 * all of the batch's at once), a failure through `failDepositInTx`, money that does not match the
 * request into suspense. A later answer only fills in what the first lacked (the receipt, when a
 * query confirmed first). Results are in the requests' order; each payment at most once per call.
 */
export async function applyStkAnswers(db: Db, requests: StkAnswerRequest[]): Promise<AppliedStkAnswer[]> {
  // A pg transaction, not a Prisma one: this runs for every callback, and Prisma's interactive
  // transaction and query compiler cost more CPU than the statements (the stores send each one
  // to either kind, so the credit and the failure are the same functions every caller uses).
  return inPgTransaction(db, async (tx) => {
    const { payments, deposits, receiptHolders } = await lockStkAnswerRows(tx, {
      depositIds: requests.flatMap((request) => (request.depositId ? [request.depositId] : [])),
      checkoutRequestIds: requests.map((request) => request.answer.checkoutRequestId),
      receipts: requests.flatMap(({ answer }) => (answer.resultCode === "0" && answer.receipt ? [answer.receipt] : [])),
    });
    // Each deposit's status as this batch leaves it, answer by answer.
    const depositStatus = new Map([...deposits.values()].map((deposit) => [deposit.id, deposit.status]));
    // The first payment in id order for each deposit and checkout request, as a search would find.
    const byDeposit = new Map<string, MpesaPayment>();
    const byCheckout = new Map<string, MpesaPayment>();
    for (const payment of payments) {
      if (payment.depositId && !byDeposit.has(payment.depositId)) byDeposit.set(payment.depositId, payment);
      if (payment.checkoutRequestId && !byCheckout.has(payment.checkoutRequestId)) byCheckout.set(payment.checkoutRequestId, payment);
    }
    const paymentOf = requests.map(
      ({ depositId, answer }) => (depositId ? byDeposit.get(depositId) : undefined) ?? byCheckout.get(answer.checkoutRequestId),
    );
    // Each payment's row is written once, at the end: the answers appended to its log and, when
    // one settles it, its final state.
    const writes = new Map<string, StkAnswerWrite>();
    requests.forEach(({ answer }, index) => {
      const payment = paymentOf[index];
      if (!payment) return;
      const write = writes.get(payment.id) ?? { id: payment.id, callbacks: [] };
      write.callbacks.push({ source: `stk-${answer.source}`, payload: answer.raw });
      writes.set(payment.id, write);
    });

    const results: AppliedStkAnswer[] = [];
    const credits: string[] = [];
    for (const [index, { answer }] of requests.entries()) {
      const payment = paymentOf[index];
      if (!payment) {
        results.push(await unknownRequest(tx, answer, receiptHolders));
        continue;
      }
      if (payment.checkoutRequestId && payment.checkoutRequestId !== answer.checkoutRequestId) {
        results.push({ outcome: "checkout_mismatch", depositId: payment.depositId });
        continue;
      }
      const paid = answer.resultCode === "0";
      const holder = paid && answer.receipt ? receiptHolders.get(answer.receipt) : undefined;
      if (holder && holder !== payment.id) {
        results.push({ outcome: "duplicate_receipt", depositId: payment.depositId });
        continue;
      }
      if (paid && answer.receipt) receiptHolders.set(answer.receipt, payment.id);
      const depositState = payment.depositId ? depositStatus.get(payment.depositId) : undefined;

      if (finalStates.has(payment.state)) {
        if (payment.state === "paid") {
          if (paid && answer.receipt && !payment.receipt) await recordMpesaReceipt(tx, payment.id, answer.receipt);
          results.push({ outcome: "already_final", depositId: payment.depositId });
          continue;
        }
        // The request had ended (refused, no answer) and M-Pesa now says the payer paid: the
        // money is here, and belongs to no pending request.
        results.push(
          paid && answer.receipt && !payment.receipt
            ? await toSuspense(tx, payment, answer, "M-Pesa reported a payment after the request had ended", depositStatus)
            : { outcome: "already_final", depositId: payment.depositId },
        );
        continue;
      }

      const settle = { checkoutRequestId: payment.checkoutRequestId ?? answer.checkoutRequestId, resultCode: answer.resultCode, resultDesc: answer.resultDesc };
      if (!paid) {
        const { state, reason } = describeStkResult(answer.resultCode, answer.resultDesc);
        writes.get(payment.id)!.settle = { ...settle, state };
        if (payment.depositId && depositState === "pending") {
          await failPendingDeposit(tx, payment.depositId, reason, answer.resultCode);
          depositStatus.set(payment.depositId, "failed");
        }
        results.push({ outcome: "failed", depositId: payment.depositId });
        continue;
      }

      const paidAmount = answer.amount === undefined ? payment.requestedAmount : wholeToMinor(answer.amount, payment.currency);
      const problems: string[] = [];
      if (paidAmount !== payment.requestedAmount) {
        problems.push(`M-Pesa collected ${String(paidAmount)} minor units, not the ${String(payment.requestedAmount)} requested`);
      }
      if (answer.phoneNumber && payment.phoneNumber && digits(answer.phoneNumber) !== digits(payment.phoneNumber)) {
        problems.push(`paid from ${answer.phoneNumber}, not ${payment.phoneNumber}`);
      }
      if (problems.length === 0 && depositState === "confirmed") {
        // Staff confirmed it by hand first: the same money, already credited.
        writes.get(payment.id)!.settle = { ...settle, state: "paid", amount: paidAmount!.toString(), receipt: answer.receipt ?? null };
        results.push({ outcome: "already_final", depositId: payment.depositId });
        continue;
      }
      if (problems.length > 0 || !payment.depositId || depositState !== "pending") {
        const reason = problems.length > 0 ? problems.join("; ") : "the deposit was no longer pending when M-Pesa reported the payment";
        results.push(await toSuspense(tx, payment, answer, reason, depositStatus, settle));
        continue;
      }
      depositStatus.set(payment.depositId, "confirmed");
      writes.get(payment.id)!.settle = { ...settle, state: "paid", amount: paidAmount!.toString(), receipt: answer.receipt ?? null };
      credits.push(payment.depositId);
      results.push({ outcome: "confirmed", depositId: payment.depositId });
    }

    await writeStkAnswers(tx, [...writes.values()]);
    if (credits.length > 0) {
      // Locked above and still pending (this batch credits a deposit only while it is): not locked and read again.
      const confirmed = await confirmDepositsInTx(
        tx,
        credits.map((depositId) => ({ depositId, confirmedBy: "mpesa" })),
        new Map(credits.map((depositId) => [depositId, deposits.get(depositId)!])),
      );
      // Every deposit was pending under its row lock: a refusal here is a bug, never an answer.
      const refused = confirmed.find((result) => !result.ok);
      if (refused && !refused.ok) throw refused.error;
    }
    return results;
  });
}

async function toSuspense(
  tx: TxClient,
  payment: MpesaPayment,
  answer: StkAnswer,
  reason: string,
  /** The batch's deposits' statuses, kept up to date. */
  depositStatus: Map<string, Deposit["status"]>,
  /** M-Pesa's result for a request that was still open (absent: the payment keeps the one it has). */
  result?: { checkoutRequestId: string; resultCode: string; resultDesc: string },
): Promise<AppliedStkAnswer> {
  const amount = answer.amount === undefined ? payment.requestedAmount : wholeToMinor(answer.amount, payment.currency);
  if (amount === null || amount <= 0n) return { outcome: "already_final", depositId: payment.depositId };
  const updated = await recordStkPaidToSuspense(tx, payment.id, { amount, receipt: answer.receipt ?? null, ...result });
  await creditSuspense(tx, updated, amount, reason);
  const deposit = payment.depositId ? await readDeposit(tx, payment.depositId) : null;
  if (payment.depositId && deposit?.status === "pending") {
    await failPendingDeposit(tx, payment.depositId, `${reason}; the money is held as an unmatched M-Pesa payment for staff`, "MPESA_MISMATCH");
    depositStatus.set(payment.depositId, "failed");
  }
  return { outcome: "suspense", depositId: payment.depositId };
}

/** An STK callback for no request we know of (not ours, or its row lost): paid money goes to suspense. */
async function unknownRequest(tx: TxClient, answer: StkAnswer, receiptHolders: Map<string, string>): Promise<AppliedStkAnswer> {
  if (answer.resultCode !== "0" || !answer.receipt || answer.amount === undefined) {
    return { outcome: "unknown_request", depositId: null };
  }
  const holder = receiptHolders.get(answer.receipt);
  if (holder) {
    return { outcome: "duplicate_receipt", depositId: await mpesaPaymentDepositId(tx, holder) };
  }
  const currency = currencyOfPhone(answer.phoneNumber) ?? "KES";
  const amount = wholeToMinor(answer.amount, currency);
  const payment = await insertUnknownStkPayment(tx, {
    id: newMpesaPaymentId(),
    checkoutRequestId: answer.checkoutRequestId,
    receipt: answer.receipt,
    phoneNumber: answer.phoneNumber ? `+${digits(answer.phoneNumber)}` : null,
    amount,
    currency,
    resultCode: answer.resultCode,
    resultDesc: answer.resultDesc,
    callback: { source: `stk-${answer.source}`, at: new Date().toISOString(), payload: answer.raw },
  });
  receiptHolders.set(answer.receipt, payment.id);
  await creditSuspense(tx, payment, amount, "an STK payment for a request this platform has no record of");
  return { outcome: "suspense", depositId: null };
}

async function failPendingDeposit(tx: TxClient, depositId: string, reason: string, code: string): Promise<Deposit> {
  const { deposit } = await failDepositInTx(tx, { depositId, reason, failureCode: code });
  return deposit;
}

export function wholeToMinor(amount: number, currency: string): bigint {
  return BigInt(Math.round(amount)) * 10n ** BigInt(currencyExponent(currency as CurrencyCode));
}

function digits(phone: string): string {
  return phone.replace(/\D/g, "");
}

export function currencyOfPhone(phone: string | undefined): CurrencyCode | undefined {
  if (!phone) return undefined;
  const country = mpesaCountries[digits(phone).slice(0, 3) as keyof typeof mpesaCountries];
  return country?.currency;
}
