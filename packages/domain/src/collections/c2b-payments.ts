import { homePartnerInTx } from "@agrinet/stores/tenancy";
import type { CurrencyCode } from "@agrinet/core";
import type { Db, Deposit, MpesaPayment, Tx } from "@agrinet/db";
import { mpesaAmountToMinor, parseC2bPayment, type C2bPayment } from "@agrinet/rails";
import { confirmDepositInTx } from "../deposits/confirm-deposit";
import { newDepositId } from "../deposits/create-deposit";
import { emitDepositEvent } from "../deposits/deposit-events";
import { depositTransactionOptions } from "../deposits/deposit-transaction";
import { appendMpesaCallback, lockMpesaPayment, newMpesaPaymentId } from "@agrinet/stores/mpesa-payments";
import { resolvePaybillReference, type PaybillTarget } from "./paybill-accounts";
import { creditSuspense, recordUnmatchedPaymentEvent } from "./suspense";

export type C2bSettings = {
  /** DEPOSIT_MIN_AMOUNT, minor units. */
  minAmount: bigint;
  /** The paybill's currency (KES for a Kenyan shortcode). */
  currency: CurrencyCode;
  /**
   * MPESA_C2B_UNKNOWN_ACCOUNTS. "reject": validation refuses payments to unknown accounts or
   * below DEPOSIT_MIN_AMOUNT (the payer keeps the money and can retype). "suspense": validation
   * accepts them and the confirmation credits them to suspense for staff to assign or return.
   * Either way a confirmation that cannot be matched goes to suspense.
   */
  unknownAccounts: "reject" | "suspense";
};

/** Daraja's answer to a validation request. */
export type C2bValidationAnswer = { ResultCode: string; ResultDesc: string };

/** Daraja's C2B reject codes (the C2B00011–C2B00016 range). */
export const c2bRejectCodes = {
  invalidAccount: "C2B00012",
  invalidAmount: "C2B00013",
} as const;

type Match = { ok: true; target: PaybillTarget; amount: bigint } | { ok: false; code: string; reason: string; amount: bigint | undefined };

async function matchPayment(db: Db | Tx, settings: C2bSettings, payment: C2bPayment): Promise<Match> {
  const amount = mpesaAmountToMinor(payment.transAmount, settings.currency);
  if (amount === undefined || amount <= 0n) {
    return { ok: false, code: c2bRejectCodes.invalidAmount, reason: `amount ${payment.transAmount} is not a valid ${settings.currency} amount`, amount: undefined };
  }
  if (amount < settings.minAmount) {
    return { ok: false, code: c2bRejectCodes.invalidAmount, reason: `amount ${payment.transAmount} is below DEPOSIT_MIN_AMOUNT`, amount };
  }
  const target = await resolvePaybillReference(db, payment.billRefNumber);
  if (!target) {
    return { ok: false, code: c2bRejectCodes.invalidAccount, reason: `account ${JSON.stringify(payment.billRefNumber)} names no user or open contract`, amount };
  }
  return { ok: true, target, amount };
}

/**
 * The validation request: accept a payment to a known account of at least DEPOSIT_MIN_AMOUNT,
 * reject anything else with Daraja's code (the payer keeps the money). Recorded by TransID, so
 * the confirmation can tell a validated payment from one nobody asked us about.
 */
export async function validateC2bPayment(options: { db: Db; settings: C2bSettings; body: unknown }): Promise<C2bValidationAnswer> {
  const payment = parseC2bPayment(options.body);
  const match = await matchPayment(options.db, options.settings, payment);
  await options.db.mpesaPayment.createMany({
    data: [
      {
        id: newMpesaPaymentId(),
        kind: "c2b",
        receipt: payment.transId,
        phoneNumber: payment.msisdn || null,
        accountReference: payment.billRefNumber,
        amount: match.amount && match.amount > 0n ? match.amount : null,
        currency: options.settings.currency,
        state: match.ok || options.settings.unknownAccounts === "suspense" ? "validated" : "rejected",
        resultCode: match.ok ? "0" : match.code,
        resultDesc: match.ok ? "Accepted" : match.reason,
        validatedAt: new Date(),
        callbacks: [{ source: "c2b-validation", at: new Date().toISOString(), payload: options.body as object }],
      },
    ],
    skipDuplicates: true,
  });
  return match.ok || options.settings.unknownAccounts === "suspense"
    ? { ResultCode: "0", ResultDesc: "Accepted" }
    : { ResultCode: match.code, ResultDesc: "Rejected" };
}

export type ConfirmedC2bPayment = {
  outcome: "confirmed" | "suspense" | "duplicate";
  paymentId: string;
  deposit: Deposit | null;
};

/**
 * The confirmation: M-Pesa took the money. Exactly once per TransID (the receipt is unique and
 * the row is locked): a validated payment to a known account becomes a confirmed `mpesa`
 * deposit credited through `confirmDepositInTx`; anything else — no validation seen, rejected
 * at validation, an amount that differs from the validated one, an account that no longer
 * matches — is credited to suspense for staff.
 */
export async function confirmC2bPayment(options: { db: Db; settings: C2bSettings; body: unknown }): Promise<ConfirmedC2bPayment> {
  const { db, settings } = options;
  const payment = parseC2bPayment(options.body);
  return db.$transaction(async (tx) => {
    let row = await lockMpesaPayment(tx, { receipt: payment.transId });
    if (!row) {
      await tx.mpesaPayment.createMany({
        data: [
          {
            id: newMpesaPaymentId(),
            kind: "c2b",
            receipt: payment.transId,
            phoneNumber: payment.msisdn || null,
            accountReference: payment.billRefNumber,
            currency: settings.currency,
            state: "validated",
          },
        ],
        skipDuplicates: true,
      });
      row = (await lockMpesaPayment(tx, { receipt: payment.transId }))!;
    }
    await appendMpesaCallback(tx, row.id, "c2b-confirmation", options.body);
    if (row.state === "paid") return { outcome: "duplicate", paymentId: row.id, deposit: null };

    const match = await matchPayment(tx, settings, payment);
    const amount = match.amount;
    if (amount === undefined) {
      // Not an amount we can book: recorded for staff, nothing posted.
      const reason = `unreadable amount ${payment.transAmount}`;
      const held = await tx.mpesaPayment.update({ where: { id: row.id }, data: { state: "paid", exception: "open", exceptionReason: reason } });
      await recordUnmatchedPaymentEvent(tx, held, null, reason, null);
      return { outcome: "suspense", paymentId: row.id, deposit: null };
    }
    const problem = !row.validatedAt
      ? "a confirmation without a validation"
      : row.state === "rejected"
        ? `confirmed although validation rejected it (${row.resultDesc ?? row.resultCode})`
        : row.amount !== null && row.amount !== amount
          ? `confirmed ${amount} minor units, validated ${row.amount}`
          : !match.ok
            ? match.reason
            : null;
    const paid = await tx.mpesaPayment.update({
      where: { id: row.id },
      data: { state: "paid", amount, phoneNumber: payment.msisdn || row.phoneNumber, accountReference: payment.billRefNumber },
    });
    if (problem || !match.ok) {
      await creditSuspense(tx, paid, amount, problem ?? "unmatched");
      return { outcome: "suspense", paymentId: row.id, deposit: null };
    }
    const deposit = await createMpesaDeposit(tx, paid, match.target, amount);
    const confirmed = await confirmDepositInTx(tx, { depositId: deposit.id, confirmedBy: "mpesa" });
    return { outcome: "confirmed", paymentId: row.id, deposit: confirmed.deposit };
  }, depositTransactionOptions);
}

/**
 * A pending `mpesa` deposit for money M-Pesa already took (a paybill payment, or an unmatched
 * one staff assign), with its deposit.created event; the caller confirms it in the same
 * transaction. Its reference is the receipt, so a second deposit for one receipt cannot exist.
 */
export async function createMpesaDeposit(
  tx: Tx,
  payment: MpesaPayment,
  target: { userId: string; contractId: string | null },
  amount: bigint,
): Promise<Deposit> {
  const deposit = await tx.deposit.create({
    data: {
      id: newDepositId(),
      // Money paid to the user's account number: the platform records it for the user's partner.
      partnerId: await homePartnerInTx(tx, target.userId),
      userId: target.userId,
      amount,
      currency: payment.currency,
      method: "mpesa",
      reference: `mpesa:${payment.receipt ?? payment.id}`,
      contractId: target.contractId,
      metadata: {
        ...(target.contractId ? { contractId: target.contractId } : {}),
        mpesaPaymentId: payment.id,
        mpesaReceipt: payment.receipt,
        billRefNumber: payment.accountReference,
      },
    },
  });
  if (!payment.depositId) await tx.mpesaPayment.update({ where: { id: payment.id }, data: { depositId: deposit.id } });
  await emitDepositEvent(tx, "deposit.created", deposit);
  return deposit;
}
