import { createHash } from "node:crypto";
import { amountAboveMaximum, DomainError, formatMinorUnits, randomHex, validationError, type CurrencyCode } from "@agrinet/core";
import type { Db, Tx } from "@agrinet/db";
import { recordAudit } from "../audit/record-audit";
import { checkContractPayout, lockContract } from "../contracts";
import { emitDomainEvent } from "../events/emit-domain-event";
import { assertWorkerOnline } from "../system/assert-worker-online";
import { destinationCurrencyMismatch, type PayoutDestination } from "./payout-destination";
import { enqueuePayoutJob, payoutTransactionLimits } from "./payout-jobs";
import { getAccountBalance } from "../ledger";
import { payoutSourceAccount, reservePayoutFunds } from "./payout-ledger";
import { toPayoutView, type PayoutView } from "./payout-view";

export type CreatePayoutInput = {
  userId: string;
  amount: bigint;
  currency: CurrencyCode;
  destination: PayoutDestination;
  contractId?: string;
  /** The caller's reference or Idempotency-Key; the same one returns the same payout. */
  reference?: string;
};

export type CreatePayoutOptions = {
  db: Db;
  input: CreatePayoutInput;
  /** PAYOUT_MIN_AMOUNT, in minor units of the payout's currency. */
  minAmount: bigint;
  /** AMOUNT_MAX, in minor units (default `defaultAmountMax`). */
  maxAmount?: bigint;
  /** Attempts the worker makes before a retryable failure becomes final. */
  maxAttempts: number;
  workerHeartbeatMaxAgeMs?: number;
  /** Who asked, for the audit log (written in the same transaction). */
  audit?: { actor: string; ip: string | null };
};

export type CreatePayoutResult = PayoutView & { replayed: boolean };

export function newPayoutId(): string {
  return `po_${randomHex(12)}`;
}

function requestHash(input: CreatePayoutInput): string {
  const canonical = JSON.stringify([
    input.userId,
    input.amount.toString(),
    input.currency,
    input.destination,
    input.contractId ?? null,
  ]);
  return createHash("sha256").update(canonical).digest("hex");
}

/**
 * Schedules a payout: in one transaction, the hold on the producer's wallet (their available
 * balance drops at once), the payout row (`queued`), its graphile-worker job (job_key = payout
 * id) and the `payout.queued` event. Repeating a request with the same reference returns the
 * first payout; reusing a reference for a different request is refused.
 */
/**
 * A payout naming a contract draws on what that contract released to its producer. The
 * contract's row lock serialises concurrent draws, so together they never exceed the release.
 */
async function checkContractDraw(tx: Tx, input: { contractId: string; userId: string; amount: bigint }) {
  await lockContract(tx, input.contractId).catch((error: unknown) => {
    if (error instanceof DomainError && error.code === "NOT_FOUND") {
      throw new DomainError("VALIDATION_FAILED", error.message, { fields: error.fields });
    }
    throw error;
  });
  const drawn = await tx.payout.aggregate({
    where: { contractId: input.contractId, status: { notIn: ["failed", "cancelled"] } },
    _sum: { amount: true },
  });
  await checkContractPayout(tx, { ...input, alreadyDrawn: drawn._sum.amount ?? 0n });
}

export async function createPayout(options: CreatePayoutOptions): Promise<CreatePayoutResult> {
  const { db, input } = options;
  if (input.amount < options.minAmount) {
    throw validationError([
      {
        path: "amount",
        message: `must be at least ${options.minAmount} minor units (${formatMinorUnits(options.minAmount, input.currency)} ${input.currency}), the PAYOUT_MIN_AMOUNT`,
      },
    ]);
  }
  const aboveMaximum = amountAboveMaximum("amount", input.amount, options.maxAmount);
  if (aboveMaximum) throw validationError([aboveMaximum]);
  const mismatch = destinationCurrencyMismatch(input.destination, input.currency);
  if (mismatch) throw validationError([{ path: "destination", message: mismatch }]);

  const hash = requestHash(input);
  const id = newPayoutId();
  const reference = input.reference ?? id;

  const existing = await findByReference(db, reference, hash);
  if (existing) return existing;

  await assertWorkerOnline({ db, maxAgeMs: options.workerHeartbeatMaxAgeMs });
  await refuseWhenPlainlyShort(db, input);

  try {
    const created = await db.$transaction(async (tx) => {
      if (input.contractId) await checkContractDraw(tx, { ...input, contractId: input.contractId });
      const { holdId } = await reservePayoutFunds(tx, { id, ...input });
      await tx.payout.create({
        data: {
          id,
          userId: input.userId,
          amount: input.amount,
          currency: input.currency,
          destinationType: input.destination.type,
          destination: input.destination,
          contractId: input.contractId ?? null,
          reference,
          requestHash: hash,
          holdId,
        },
      });
      const jobId = await enqueuePayoutJob(tx, { payoutId: id, maxAttempts: options.maxAttempts, runNow: false });
      const payout = await tx.payout.update({ where: { id }, data: { jobId } });
      await emitDomainEvent(tx, {
        type: "payout.queued",
        aggregateType: "payout",
        aggregateId: id,
        userIds: [input.userId],
        payload: {
          payoutId: id,
          amount: input.amount,
          currency: input.currency,
          destinationType: input.destination.type,
          contractId: input.contractId ?? null,
        },
      });
      if (options.audit) {
        await recordAudit(tx, {
          ...options.audit,
          action: "payout.created",
          target: `payout:${id}`,
          metadata: { userId: input.userId, amount: input.amount, currency: input.currency, reference },
        });
      }
      return payout;
    }, payoutTransactionLimits);
    return { ...toPayoutView(created), replayed: false };
  } catch (error) {
    // Two requests with the same reference raced: the loser returns the winner's payout.
    if ((error as { code?: string }).code === "P2002") {
      const winner = await findByReference(db, reference, hash);
      if (winner) return winner;
    }
    throw error;
  }
}

/**
 * A read before the transaction: a request that cannot fit the available balance is refused
 * without queuing for the wallet's lock. The hold inside the transaction is what decides.
 */
async function refuseWhenPlainlyShort(db: Db, input: CreatePayoutInput) {
  const balance = await getAccountBalance(db, { account: payoutSourceAccount(input) });
  if (balance.available < input.amount) {
    throw new DomainError(
      "INSUFFICIENT_FUNDS",
      `available balance ${formatMinorUnits(balance.available, input.currency)} ${input.currency} is less than the payout's ${formatMinorUnits(input.amount, input.currency)}`,
      {
        fields: [{ path: "amount", message: "exceeds the available balance" }],
        details: { available: balance.available.toString(), currency: input.currency, account: balance.account },
      },
    );
  }
}

async function findByReference(db: Db, reference: string, hash: string): Promise<CreatePayoutResult | null> {
  const existing = await db.payout.findUnique({ where: { reference } });
  if (!existing) return null;
  if (existing.requestHash !== hash) {
    throw new DomainError(
      "IDEMPOTENCY_KEY_REUSED",
      `reference ${JSON.stringify(reference)} was already used for a different payout (${existing.id})`,
      { fields: [{ path: "reference", message: "already used for a different request" }], details: { payoutId: existing.id } },
    );
  }
  return { ...toPayoutView(existing), replayed: true };
}
