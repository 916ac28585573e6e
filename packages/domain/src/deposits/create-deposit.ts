import { checkContractFundable } from "../contracts/contract-funds";
import { randomBytes } from "node:crypto";
import { DomainError, validationError } from "@agrinet/core";
import type { Db, Deposit, Prisma } from "@agrinet/db";
import type { StripeDepositCharge, StripeDepositOutcome } from "@agrinet/rails";
import type { CreateDepositInput } from "@agrinet/schemas";
import { confirmDepositInTx } from "./confirm-deposit";
import { emitDepositEvent } from "./deposit-events";
import { failDepositInTx } from "./fail-deposit";
import { depositTransactionOptions } from "./deposit-transaction";

/** Creates and confirms a PaymentIntent; null when STRIPE_KEY is not configured. */
export type ChargeStripeDeposit = (charge: StripeDepositCharge) => Promise<StripeDepositOutcome>;

export type CreateDepositOptions = {
  db: Db;
  input: CreateDepositInput;
  /** DEPOSIT_MIN_AMOUNT, in minor units. */
  minAmount: bigint;
  chargeStripe: ChargeStripeDeposit | null;
};

export type CreatedDeposit = Deposit & {
  nextAction: {
    type: "stripe_confirmation";
    paymentIntentId: string;
    clientSecret: string;
    redirectUrl: string | null;
  } | null;
};

export function newDepositId(): string {
  return `dep_${randomBytes(12).toString("hex")}`;
}

/**
 * Records a pending deposit (and its deposit.created event). A reference already used answers
 * DUPLICATE_REFERENCE with the existing deposit's id and records nothing: the insert relies on
 * the unique index (`on conflict do nothing`), so two racing requests cannot both succeed.
 * For `method: "stripe"` it then charges the card and settles the deposit with Stripe's answer.
 */
export async function createDeposit(options: CreateDepositOptions): Promise<CreatedDeposit> {
  const { db, input, minAmount, chargeStripe } = options;
  const issues = [];
  if (input.amount < minAmount) {
    issues.push({ path: "amount", message: `must be at least ${minAmount} minor units (DEPOSIT_MIN_AMOUNT)` });
  }
  if (input.method === "stripe" && !chargeStripe) {
    issues.push({ path: "method", message: "Stripe is not configured on this server (STRIPE_KEY is unset)" });
  }
  if (issues.length) throw validationError(issues);
  if (input.metadata.contractId) {
    await checkContractFundable(db, { contractId: input.metadata.contractId, currency: input.currency });
  }

  const created = await db.$transaction(async (tx) => {
    const [row] = await tx.deposit.createManyAndReturn({
      data: [
        {
          id: newDepositId(),
          userId: input.userId,
          amount: input.amount,
          currency: input.currency,
          method: input.method,
          reference: input.reference,
          metadata: input.metadata as Prisma.InputJsonObject,
          contractId: input.metadata.contractId ?? null,
        },
      ],
      skipDuplicates: true,
    });
    if (!row) return null;
    await emitDepositEvent(tx, "deposit.created", row);
    return row;
  }, depositTransactionOptions);
  if (!created) {
    const existing = await db.deposit.findUnique({
      where: { reference: input.reference },
      select: { id: true, status: true },
    });
    throw new DomainError("DUPLICATE_REFERENCE", `reference ${input.reference} is already used by deposit ${existing?.id}`, {
      fields: [{ path: "reference", message: "already used by another deposit" }],
      details: { depositId: existing?.id, status: existing?.status },
    });
  }

  if (input.method !== "stripe") return { ...created, nextAction: null };
  return settleWithStripe(db, created, input, chargeStripe!);
}

async function settleWithStripe(
  db: Db,
  deposit: Deposit,
  input: CreateDepositInput,
  chargeStripe: ChargeStripeDeposit,
): Promise<CreatedDeposit> {
  // Stripe unavailable → the error propagates and the deposit stays pending: the webhook for
  // the PaymentIntent (metadata.depositId) settles it if the charge did go through.
  const outcome = await chargeStripe({
    depositId: deposit.id,
    amount: deposit.amount,
    currency: deposit.currency,
    paymentMethodId: input.paymentMethodId!,
    returnUrl: input.returnUrl,
    description: `Deposit ${deposit.reference}`,
  });
  switch (outcome.kind) {
    case "succeeded": {
      const result = await db.$transaction(
        (tx) =>
          confirmDepositInTx(tx, {
            depositId: deposit.id,
            confirmedBy: "stripe",
            stripePaymentIntentId: outcome.paymentIntentId,
            settledByStripe: true,
          }),
        depositTransactionOptions,
      );
      return { ...result.deposit, nextAction: null };
    }
    case "requires-action":
    case "processing": {
      const updated = await db.deposit.update({
        where: { id: deposit.id },
        data: { stripePaymentIntentId: outcome.paymentIntentId },
      });
      return {
        ...updated,
        nextAction:
          outcome.kind === "requires-action"
            ? {
                type: "stripe_confirmation",
                paymentIntentId: outcome.paymentIntentId,
                clientSecret: outcome.clientSecret,
                redirectUrl: outcome.redirectUrl,
              }
            : null,
      };
    }
    case "declined": {
      const code = outcome.declineCode ?? outcome.code;
      await db.$transaction(
        (tx) =>
          failDepositInTx(tx, {
            depositId: deposit.id,
            reason: outcome.message,
            failureCode: code,
            stripePaymentIntentId: outcome.paymentIntentId,
            settledByStripe: true,
          }),
        depositTransactionOptions,
      );
      throw new DomainError("PAYMENT_DECLINED", `The card was declined: ${outcome.message}`, {
        details: {
          depositId: deposit.id,
          status: "failed",
          code: outcome.code,
          declineCode: outcome.declineCode,
          message: outcome.message,
        },
      });
    }
  }
}
