import { currencyExponent, DomainError, validationError, type CurrencyCode } from "@agrinet/core";
import type { Db, Deposit, MpesaPayment, Tx } from "@agrinet/db";
import { describeStkResult } from "@agrinet/rails";
import { confirmDepositInTx } from "../deposits/confirm-deposit";
import { depositTransactionOptions } from "../deposits/deposit-transaction";
import { failDepositInTx } from "../deposits/fail-deposit";
import { mpesaCountries } from "../payouts/payout-destination";
import type { MpesaCollectionsSettings } from "./collections-settings";
import { appendMpesaCallback, lockMpesaPayment, newMpesaPaymentId } from "./mpesa-payments-store";
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
 * Sends the STK Push for a pending deposit just recorded. The payment row (and its STK Query,
 * due after MPESA_STK_TIMEOUT_SECONDS) is written before the push, so whatever happens next — a
 * callback racing the push's answer, this process dying — the callback or the sweeper finds it.
 */
export async function requestStkPush(
  db: Db,
  settings: MpesaCollectionsSettings,
  deposit: Deposit,
  phoneNumber: string,
): Promise<{ deposit: Deposit; nextAction: StkNextAction | null }> {
  const paymentId = newMpesaPaymentId();
  // One statement (the row and its sweep job), no interactive transaction: this runs once per
  // deposit request, and waiting for a pooled transaction under load would fail the request.
  await db.$pool.query({
    name: "insert-stk-payment",
    text: `with created as (
             insert into mpesa_payments (id, kind, deposit_id, phone_number, account_reference, requested_amount, currency, state, next_query_at)
             values ($1, 'stk', $2, $3, $4, $5, $6, 'requesting', now() + make_interval(secs => $7::double precision))
             returning next_query_at
           )
           select schedule_mpesa_stk_sweeps(array(select next_query_at from created))`,
    values: [paymentId, deposit.id, phoneNumber, deposit.id.slice(-12), deposit.amount.toString(), deposit.currency, settings.stkTimeoutMs / 1000],
  });

  const outcome = await settings.client.stkPush({
    depositId: deposit.id,
    amount: deposit.amount,
    currency: deposit.currency,
    phoneNumber,
    accountReference: deposit.id.slice(-12),
    description: "Agrinet deposit",
  });
  if (outcome.kind === "accepted") {
    // A callback may have come first and recorded the checkout id already: only fill gaps.
    await db.$executeRaw`
      update mpesa_payments
      set checkout_request_id = coalesce(checkout_request_id, ${outcome.checkoutRequestId}),
          merchant_request_id = coalesce(merchant_request_id, ${outcome.merchantRequestId}),
          state = case when state = 'requesting' then 'sent' else state end,
          updated_at = now()
      where id = ${paymentId}`;
    const current = await db.deposit.findUniqueOrThrow({ where: { id: deposit.id } });
    return { deposit: current, nextAction: { type: "mpesa_stk_push", checkoutRequestId: outcome.checkoutRequestId } };
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

/**
 * Applies what M-Pesa said about an STK Push — its callback or an STK Query answer — in one
 * transaction with the payment row locked, so callbacks, duplicates and query answers in any
 * order and number settle the deposit once: the credit through `confirmDepositInTx` (the one
 * deposit credit), a failure through `failDepositInTx`, money that does not match the request
 * into suspense. A later answer only fills in what the first lacked (the receipt, when a query
 * confirmed first).
 */
export async function applyStkAnswer(
  db: Db,
  options: { depositId?: string | undefined; answer: StkAnswer },
): Promise<AppliedStkAnswer> {
  const { answer } = options;
  return db.$transaction(async (tx) => {
    let payment = options.depositId ? await lockMpesaPayment(tx, { depositId: options.depositId }) : null;
    payment ??= await lockMpesaPayment(tx, { checkoutRequestId: answer.checkoutRequestId });
    if (!payment) return unknownRequest(tx, answer);
    await appendMpesaCallback(tx, payment.id, `stk-${answer.source}`, answer.raw);
    if (payment.checkoutRequestId && payment.checkoutRequestId !== answer.checkoutRequestId) {
      return { outcome: "checkout_mismatch", depositId: payment.depositId };
    }
    const paid = answer.resultCode === "0";
    if (paid && answer.receipt) {
      const holder = await tx.mpesaPayment.findUnique({ where: { receipt: answer.receipt }, select: { id: true } });
      if (holder && holder.id !== payment.id) return { outcome: "duplicate_receipt", depositId: payment.depositId };
    }
    const deposit = payment.depositId
      ? (await tx.$queryRaw<Array<{ status: Deposit["status"] }>>`select status from deposits where id = ${payment.depositId} for update`)[0]
      : undefined;

    if (finalStates.has(payment.state)) {
      if (payment.state === "paid") {
        if (paid && answer.receipt && !payment.receipt) {
          await tx.mpesaPayment.update({ where: { id: payment.id }, data: { receipt: answer.receipt, phoneNumber: payment.phoneNumber } });
        }
        return { outcome: "already_final", depositId: payment.depositId };
      }
      // The request had ended (refused, no answer) and M-Pesa now says the payer paid: the
      // money is here, and belongs to no pending request.
      if (paid && answer.receipt && !payment.receipt) {
        return toSuspense(tx, payment, answer, "M-Pesa reported a payment after the request had ended");
      }
      return { outcome: "already_final", depositId: payment.depositId };
    }

    const update = { checkoutRequestId: payment.checkoutRequestId ?? answer.checkoutRequestId, resultCode: answer.resultCode, resultDesc: answer.resultDesc, nextQueryAt: null };
    if (!paid) {
      const { state, reason } = describeStkResult(answer.resultCode, answer.resultDesc);
      await tx.mpesaPayment.update({ where: { id: payment.id }, data: { ...update, state } });
      if (payment.depositId && deposit?.status === "pending") {
        await failPendingDeposit(tx, payment.depositId, reason, answer.resultCode);
      }
      return { outcome: "failed", depositId: payment.depositId };
    }

    const paidAmount = answer.amount === undefined ? payment.requestedAmount : wholeToMinor(answer.amount, payment.currency);
    const problems: string[] = [];
    if (paidAmount !== payment.requestedAmount) {
      problems.push(`M-Pesa collected ${String(paidAmount)} minor units, not the ${String(payment.requestedAmount)} requested`);
    }
    if (answer.phoneNumber && payment.phoneNumber && digits(answer.phoneNumber) !== digits(payment.phoneNumber)) {
      problems.push(`paid from ${answer.phoneNumber}, not ${payment.phoneNumber}`);
    }
    if (problems.length === 0 && deposit?.status === "confirmed") {
      // Staff confirmed it by hand first: the same money, already credited.
      await tx.mpesaPayment.update({ where: { id: payment.id }, data: { ...update, state: "paid", amount: paidAmount, receipt: answer.receipt ?? null } });
      return { outcome: "already_final", depositId: payment.depositId };
    }
    if (problems.length > 0 || !payment.depositId || deposit?.status !== "pending") {
      const reason = problems.length > 0 ? problems.join("; ") : "the deposit was no longer pending when M-Pesa reported the payment";
      return toSuspense(tx, payment, answer, reason, update);
    }
    await tx.mpesaPayment.update({
      where: { id: payment.id },
      data: { ...update, state: "paid", amount: paidAmount, receipt: answer.receipt ?? null },
    });
    await confirmDepositInTx(tx, { depositId: payment.depositId, confirmedBy: "mpesa" });
    return { outcome: "confirmed", depositId: payment.depositId };
  }, depositTransactionOptions);
}

async function toSuspense(
  tx: Tx,
  payment: MpesaPayment,
  answer: StkAnswer,
  reason: string,
  update: Record<string, unknown> = {},
): Promise<AppliedStkAnswer> {
  const amount = answer.amount === undefined ? payment.requestedAmount : wholeToMinor(answer.amount, payment.currency);
  if (amount === null || amount <= 0n) return { outcome: "already_final", depositId: payment.depositId };
  const updated = await tx.mpesaPayment.update({
    where: { id: payment.id },
    data: { ...update, state: "paid", amount, receipt: answer.receipt ?? null, nextQueryAt: null },
  });
  await creditSuspense(tx, updated, amount, reason);
  const deposit = payment.depositId ? await tx.deposit.findUnique({ where: { id: payment.depositId }, select: { status: true } }) : null;
  if (payment.depositId && deposit?.status === "pending") {
    await failPendingDeposit(tx, payment.depositId, `${reason}; the money is held as an unmatched M-Pesa payment for staff`, "MPESA_MISMATCH");
  }
  return { outcome: "suspense", depositId: payment.depositId };
}

/** An STK callback for no request we know of (not ours, or its row lost): paid money goes to suspense. */
async function unknownRequest(tx: Tx, answer: StkAnswer): Promise<AppliedStkAnswer> {
  if (answer.resultCode !== "0" || !answer.receipt || answer.amount === undefined) {
    return { outcome: "unknown_request", depositId: null };
  }
  const existing = await tx.mpesaPayment.findUnique({ where: { receipt: answer.receipt } });
  if (existing) return { outcome: "duplicate_receipt", depositId: existing.depositId };
  const currency = currencyOfPhone(answer.phoneNumber) ?? "KES";
  const amount = wholeToMinor(answer.amount, currency);
  const payment = await tx.mpesaPayment.create({
    data: {
      id: newMpesaPaymentId(),
      kind: "stk",
      checkoutRequestId: answer.checkoutRequestId,
      receipt: answer.receipt,
      phoneNumber: answer.phoneNumber ? `+${digits(answer.phoneNumber)}` : null,
      amount,
      currency,
      state: "paid",
      resultCode: answer.resultCode,
      resultDesc: answer.resultDesc,
      callbacks: [{ source: `stk-${answer.source}`, at: new Date().toISOString(), payload: answer.raw as object }],
    },
  });
  await creditSuspense(tx, payment, amount, "an STK payment for a request this platform has no record of");
  return { outcome: "suspense", depositId: null };
}

async function failPendingDeposit(tx: Tx, depositId: string, reason: string, code: string): Promise<Deposit> {
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
