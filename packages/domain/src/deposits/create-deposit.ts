import { checkContractFundable } from "../contracts/contract-funds";
import { DomainError, randomHex, validationError } from "@agrinet/core";
import type { Db, Deposit } from "@agrinet/db";
import type { StripeDepositCharge, StripeDepositOutcome } from "@agrinet/rails";
import type { CreateDepositInput } from "@agrinet/schemas";
import { confirmDepositInTx } from "./confirm-deposit";
import { serializeEventPayload, wakeOutboxDispatcher } from "../events/emit-domain-event";
import { depositEvent } from "./deposit-events";
import { depositFromRow, type DepositRow } from "./deposit-row";
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
  return `dep_${randomHex(12)}`;
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

  const created = await insertPendingDeposit(db, input);
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

/**
 * The deposit row and its deposit.created event in one statement (one round trip, one commit):
 * this runs once per partner request, the API's busiest write. Null when the reference is taken.
 */
async function insertPendingDeposit(db: Db, input: CreateDepositInput): Promise<Deposit | null> {
  const id = newDepositId();
  const contractId = input.metadata.contractId ?? null;
  const event = depositEvent("deposit.created", {
    id,
    userId: input.userId,
    amount: input.amount,
    currency: input.currency,
    method: input.method,
    reference: input.reference,
    status: "pending",
    contractId,
  });
  const { rows } = await db.$pool.query<DepositRow>({
    // Named: each connection plans it once.
    name: "insert-pending-deposit",
    text: `with created as (
       insert into deposits (id, user_id, amount, currency, method, reference, metadata, contract_id)
       values ($1, $2, $3, $4, $5, $6, $7, $8)
       on conflict (reference) do nothing
       returning *
     ), event as (
       insert into domain_events (type, aggregate_type, aggregate_id, user_ids, payload)
       select $9, $10, created.id, $11, $12 from created
     )
     select * from created`,
    values: [
      id,
      input.userId,
      input.amount.toString(),
      input.currency,
      input.method,
      input.reference,
      JSON.stringify(input.metadata),
      contractId,
      event.type,
      event.aggregateType,
      event.userIds,
      serializeEventPayload(event.payload),
    ],
  });
  const row = rows[0];
  if (!row) return null;
  wakeOutboxDispatcher(db.$pool);
  return depositFromRow(row);
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
