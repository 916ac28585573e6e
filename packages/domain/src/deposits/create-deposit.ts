import { insertPendingDeposits as insertDepositRows, readDeposit, type DepositStkPayment } from "@agrinet/stores/deposits";
import { homePartnerOf } from "@agrinet/stores/tenancy";
import { checkContractFundable } from "../contracts/contract-funds";
import { amountAboveMaximum, DomainError, randomHex, validationError } from "@agrinet/core";
import type { Db, Deposit } from "@agrinet/db";
import type { StripeDepositCharge, StripeDepositOutcome } from "@agrinet/rails";
import type { CreateDepositInput } from "@agrinet/schemas";
import { confirmDepositInTx } from "./confirm-deposit";
import { serializeEventPayload, wakeOutboxDispatcher } from "../events/emit-domain-event";
import { depositEvent } from "./deposit-events";
import { failDepositInTx } from "./fail-deposit";
import { depositTransactionOptions } from "./deposit-transaction";
import { createGroupCommit } from "../shared/group-commit";
import type { MpesaCollectionsSettings } from "../collections/collections-settings";
import { checkStkDeposit, newStkPayment, pendingSweepSlots, requestStkPush, sweepSlotOf, type StkNextAction } from "../collections/stk-deposits";

/** Creates and confirms a PaymentIntent; null when STRIPE_KEY is not configured. */
export type ChargeStripeDeposit = (charge: StripeDepositCharge) => Promise<StripeDepositOutcome>;

export type CreateDepositOptions = {
  db: Db;
  input: CreateDepositInput;
  /**
   * The partner creating it: references are unique per partner. Staff create deposits for the
   * user's home partner (omit it).
   */
  partnerId?: string;
  /** DEPOSIT_MIN_AMOUNT, in minor units. */
  minAmount: bigint;
  /** AMOUNT_MAX, in minor units (default `defaultAmountMax`). */
  maxAmount?: bigint;
  chargeStripe: ChargeStripeDeposit | null;
  /** STK Push collections; null when M-Pesa collections are not configured. */
  mpesa?: MpesaCollectionsSettings | null | undefined;
};

export type CreatedDeposit = Deposit & {
  nextAction:
    | {
        type: "stripe_confirmation";
        paymentIntentId: string;
        clientSecret: string;
        redirectUrl: string | null;
      }
    | StkNextAction
    | null;
};

/**
 * `dep_` and 24 hex digits, as before, now time-ordered: the milliseconds since 1970 (12 digits)
 * then 6 random bytes. New ids land on the rightmost leaf of the primary key instead of a random
 * page: with random ids every insert dirtied some old leaf, logged whole (a full-page image)
 * the first time after each checkpoint once the table outgrows a few pages.
 */
export function newDepositId(now = Date.now()): string {
  return `dep_${now.toString(16).padStart(12, "0")}${randomHex(6)}`;
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
  const aboveMaximum = amountAboveMaximum("amount", input.amount, options.maxAmount);
  if (aboveMaximum) issues.push(aboveMaximum);
  if (input.method === "stripe" && !chargeStripe) {
    issues.push({ path: "method", message: "Stripe is not configured on this server (STRIPE_KEY is unset)" });
  }
  if (input.phoneNumber !== undefined && !options.mpesa) {
    issues.push({ path: "phoneNumber", message: "M-Pesa STK Push is not configured on this server (MPESA_STK_PASSKEY is unset)" });
  }
  if (issues.length) throw validationError(issues);
  if (input.phoneNumber !== undefined) checkStkDeposit({ phoneNumber: input.phoneNumber, currency: input.currency, amount: input.amount });
  if (input.metadata.contractId) {
    await checkContractFundable(db, { contractId: input.metadata.contractId, currency: input.currency });
  }

  const partnerId = options.partnerId ?? (await homePartnerOf(db.$pool, input.userId));
  const id = newDepositId();
  const stkPayment = input.phoneNumber !== undefined && options.mpesa ? newStkPayment(options.mpesa, id, input.phoneNumber) : null;
  const created = await insertPendingDeposit(db, { id, partnerId, input, stkPayment });
  if (!created) {
    const existing = await db.deposit.findUnique({ where: { partnerId_reference: { partnerId, reference: input.reference } } });
    // 402 means "retry with a new payment method": the declined deposit is tried again.
    if (existing && chargeStripe && isRetryableDecline(existing, input)) {
      const reopened = await reopenDeclinedDeposit(db, existing.id);
      if (reopened) return settleWithStripe(db, reopened, input, chargeStripe, { retry: true });
    }
    throw new DomainError("DUPLICATE_REFERENCE", `reference ${input.reference} is already used by deposit ${existing?.id}`, {
      fields: [{ path: "reference", message: "already used by another deposit" }],
      details: { depositId: existing?.id, status: existing?.status },
    });
  }

  if (stkPayment && options.mpesa) {
    const pushed = await requestStkPush(db, options.mpesa, created, stkPayment);
    return { ...pushed.deposit, nextAction: pushed.nextAction };
  }
  if (input.method !== "stripe") return { ...created, nextAction: null };
  return settleWithStripe(db, created, input, chargeStripe!);
}

type PendingDeposit = { id: string; partnerId: string; input: CreateDepositInput; stkPayment: DepositStkPayment | null };

const insertCombiners = new WeakMap<Db, (item: PendingDeposit) => Promise<Deposit | null>>();

/**
 * The deposit row, its deposit.created event and an STK deposit's payment row; null when the
 * reference is taken. This runs once per partner request, the API's busiest write, and most of
 * its database cost is per statement and per commit (round trip, snapshot, commit record, WAL
 * flush), not per row: requests arriving while an insert is in the database wait and go together
 * in the next statement (group commit), one transaction for them all. A reference appears at most
 * once per statement, so a repeated one waits for the next and meets the first's row, as it would
 * one request at a time. If the combined statement fails as a whole, each request runs again
 * alone: one request's failure stays its own.
 */
async function insertPendingDeposit(db: Db, item: PendingDeposit): Promise<Deposit | null> {
  let insert = insertCombiners.get(db);
  if (!insert) {
    const sweeps = pendingSweepSlots();
    insert = createGroupCommit<PendingDeposit, Deposit | null>({
      key: (item) => `${item.partnerId}\u0000${item.input.reference}`,
      maxBatch: 200,
      // An STK deposit's request waits for M-Pesa's answer to its push after this statement (tens
      // of milliseconds under load), so its insert waits 2 ms for company: the STK requests'
      // batches grew from ~10 to ~15, and bench:collections was faster in 9 of 12 A/B pairs (mean
      // +6%), PostgreSQL's CPU per deposit lower in 10. A manual or card deposit is answered right
      // after its insert: a batch of those alone goes at once (made to wait too, bench:api's
      // POST /deposit lost ~3% throughput and ~3 ms p99).
      gatherMs: 2,
      gathersFor: (item) => item.stkPayment !== null,
      run: async (items) => {
        // The STK Query sweep jobs the batch's payments need that this process has not scheduled.
        const slots = sweeps.missing(items.flatMap((item) => (item.stkPayment ? [item.stkPayment] : [])));
        const rows = await insertPendingDeposits(db, items, slots);
        sweeps.scheduled(slots);
        return rows;
      },
      runAlone: async (item) => {
        // After a failed batch: no assumption about which sweeps were scheduled.
        const [row] = await insertPendingDeposits(db, [item], item.stkPayment ? [sweepSlotOf(item.stkPayment)] : []);
        // The failed statement may have committed before its answer was lost: a reference taken
        // by this very id is this request's own deposit.
        return row ?? (await readDeposit(db, item.id));
      },
    });
    insertCombiners.set(db, insert);
  }
  return insert(item);
}

/** One statement, one commit: the rows, in the items' order (null where the reference is taken). */
async function insertPendingDeposits(db: Db, items: PendingDeposit[], stkSweepSlots: Date[]): Promise<Array<Deposit | null>> {
  const rows = await insertDepositRows(
    db,
    items.map(({ id, partnerId, input, stkPayment }) => ({
      id,
      partnerId,
      userId: input.userId,
      amount: input.amount,
      currency: input.currency,
      method: input.method,
      reference: input.reference,
      metadata: JSON.stringify(input.metadata),
      contractId: input.metadata.contractId ?? null,
      eventPayload: serializeEventPayload(
        depositEvent("deposit.created", {
          id,
          userId: input.userId,
          amount: input.amount,
          currency: input.currency,
          method: input.method,
          reference: input.reference,
          status: "pending",
          contractId: input.metadata.contractId ?? null,
        }).payload,
      ),
      stkPayment,
    })),
    "deposit.created",
    stkSweepSlots,
  );
  if (rows.some((row) => row !== null)) wakeOutboxDispatcher(db.$pool);
  return rows;
}

/**
 * A card deposit Stripe declined, asked for again with the same reference, for the same user,
 * amount, currency and contract: the buyer trying another card. A deposit failed by staff
 * (`manual`) stays failed.
 */
function isRetryableDecline(existing: Deposit, input: CreateDepositInput): boolean {
  return (
    input.method === "stripe" &&
    existing.method === "stripe" &&
    existing.status === "failed" &&
    existing.failureCode !== "manual" &&
    existing.userId === input.userId &&
    existing.amount === input.amount &&
    existing.currency === input.currency &&
    (existing.contractId ?? null) === (input.metadata.contractId ?? null)
  );
}

/**
 * failed → pending, for one retry at a time: of two concurrent retries one reopens the deposit,
 * the other finds it pending and answers DUPLICATE_REFERENCE. Failing moved no money, so neither
 * does reopening.
 */
async function reopenDeclinedDeposit(db: Db, depositId: string): Promise<Deposit | null> {
  const [reopened] = await db.deposit.updateManyAndReturn({
    where: { id: depositId, status: "failed", method: "stripe", NOT: { failureCode: "manual" } },
    data: { status: "pending", failedAt: null, failureReason: null, failureCode: null },
  });
  return reopened ?? null;
}

async function settleWithStripe(
  db: Db,
  deposit: Deposit,
  input: CreateDepositInput,
  chargeStripe: ChargeStripeDeposit,
  options: { retry?: boolean } = {},
): Promise<CreatedDeposit> {
  // Stripe unavailable → the error propagates and the deposit stays pending: the webhook for
  // the PaymentIntent (metadata.depositId) settles it if the charge did go through.
  const outcome = await chargeStripe({
    depositId: deposit.id,
    // A retry is a new PaymentIntent (the first one's key would replay its decline); keyed by the
    // card, so the same retry sent twice still charges once.
    idempotencyKey: options.retry ? `${deposit.id}:${input.paymentMethodId}` : deposit.id,
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
