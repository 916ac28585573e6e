import { homePartnerOf } from "@agrinet/stores/tenancy";
import { createHash } from "node:crypto";
import { amountAboveMaximum, DomainError, formatMinorUnits, randomHex, validationError, type CurrencyCode } from "@agrinet/core";
import type { Db } from "@agrinet/db";
import { payoutCreateJob } from "@agrinet/job-queue";
import { contractDrawExceedsRelease, contractEscrowNotReleased, contractPayoutNotProducer } from "../contracts";
import { contractNotFound } from "../contracts/load-contract";
import { serializeEventPayload, wakeOutboxDispatcher } from "../events/emit-domain-event";
import { parseAccountCode } from "../ledger";
import { createGroupCommit } from "../shared/group-commit";
import { workerOffline } from "../system/assert-worker-online";
import { workerHeartbeatMaxAgeMs } from "../system/system-status";
import { createPayoutsStatement, type PayoutCreateItem, type PayoutCreateOutcome } from "@agrinet/stores/payout-create";
import { destinationCurrencyMismatch, type PayoutDestination } from "./payout-destination";
import { payoutSourceAccount } from "./payout-ledger";
import { assertDestinationPayable, destinationKey, findSavedDestination, newDestinationId, saveDestination } from "./saved-destinations";
import { toPayoutView, type PayoutView } from "./payout-view";

export type CreatePayoutInput = {
  userId: string;
  amount: bigint;
  currency: CurrencyCode;
  /** Where to pay, given inline: saved for the user (once) and paid to. */
  destination?: PayoutDestination;
  /** Or a saved destination of the user's, by id. Exactly one of the two. */
  destinationId?: string;
  contractId?: string;
  /** The caller's reference or Idempotency-Key; the same one returns the same payout. */
  reference?: string;
};

export type CreatePayoutOptions = {
  db: Db;
  input: CreatePayoutInput;
  /** The partner asking: references are unique per partner. Staff pay out for the user's home partner. */
  partnerId?: string;
  /** PAYOUT_MIN_AMOUNT, in minor units of the payout's currency. */
  minAmount: bigint;
  /** AMOUNT_MAX, in minor units (default `defaultAmountMax`). */
  maxAmount?: bigint;
  /** Attempts the worker makes before a retryable failure becomes final. */
  maxAttempts: number;
  workerHeartbeatMaxAgeMs?: number;
  /** PAYOUT_DESTINATION_COOLING_OFF_HOURS: a destination is payable once saved this long ago (default 0). */
  destinationCoolingOffHours?: number;
  /**
   * PARTNER_DAILY_PAYOUT_CAP: what a partner's payouts created on one UTC day may take in a
   * currency, in minor units (a currency left out: no cap). A partner's own cap, set by staff
   * (`updatePartnerLimits`), wins.
   */
  dailyPayoutCaps?: Partial<Record<CurrencyCode, bigint>>;
  /** Who asked, for the audit log (written in the same transaction). */
  audit?: { actor: string; ip: string | null };
};

export type CreatePayoutResult = PayoutView & { replayed: boolean };

export function newPayoutId(): string {
  return `po_${randomHex(12)}`;
}

function requestHash(input: CreatePayoutInput, destination: PayoutDestination): string {
  const canonical = JSON.stringify([
    input.userId,
    input.amount.toString(),
    input.currency,
    destination,
    input.contractId ?? null,
  ]);
  return createHash("sha256").update(canonical).digest("hex");
}

const createCombiners = new WeakMap<Db, (item: PayoutCreateItem) => Promise<PayoutCreateOutcome>>();

/**
 * Payouts are created like deposits: requests arriving while a batch is in the database wait and
 * go together in the next statement (`payouts_create`: holds, rows, jobs, events and audit rows
 * of them all, one commit). A reference appears at most once per batch, so a repeated one waits
 * and meets the first's payout. If the statement fails as a whole (a reference committed by
 * another process meanwhile, a lost connection), each request runs again alone.
 */
function createCombiner(db: Db): (item: PayoutCreateItem) => Promise<PayoutCreateOutcome> {
  let create = createCombiners.get(db);
  if (!create) {
    const run = async (items: PayoutCreateItem[]) => {
      const outcomes = await createPayoutsStatement(db.$pool, items, payoutCreateJob);
      if (outcomes.some((o) => o.outcome === "created")) wakeOutboxDispatcher(db.$pool);
      return outcomes;
    };
    create = createGroupCommit<PayoutCreateItem, PayoutCreateOutcome>({
      key: (item) => `${item.partnerId}\u0000${item.reference}`,
      maxBatch: 200,
      run,
      runAlone: async (item) => {
        try {
          return (await run([item]))[0]!;
        } catch (error) {
          // The same reference committed by another request meanwhile: that payout answers.
          if ((error as { code?: string }).code === uniqueViolation) {
            const existing = await db.payout.findUnique({
              where: { partnerId_reference: { partnerId: item.partnerId, reference: item.reference } },
              select: { id: true },
            });
            if (existing) return { outcome: "exists", payoutId: existing.id };
          }
          throw error;
        }
      },
    });
    createCombiners.set(db, create);
  }
  return create;
}

const uniqueViolation = "23505";

/**
 * Schedules a payout: in one transaction, the hold on the producer's wallet (their available
 * balance drops at once), the payout row (`queued`), its job (job key = payout
 * id), the `payout.queued` event and the audit row. Repeating a request with the same reference
 * returns the first payout; reusing a reference for a different request is refused. A payout
 * naming a contract draws on what that contract released to its producer; the contract's row
 * lock serialises concurrent draws, so together they never exceed the release.
 */
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
  const { destination, destinationId, destinationKey } = await payableDestination(options);

  const hash = requestHash(input, destination);
  const id = newPayoutId();
  const reference = input.reference ?? id;
  const maxAgeMs = options.workerHeartbeatMaxAgeMs ?? workerHeartbeatMaxAgeMs;
  const partnerId = options.partnerId ?? (await homePartnerOf(db.$pool, input.userId));
  const item: PayoutCreateItem = {
    id,
    partnerId,
    userId: input.userId,
    amount: input.amount,
    currency: input.currency,
    destinationType: destination.type,
    destination: JSON.stringify(destination),
    destinationId,
    destinationKey,
    defaultDailyCap: options.dailyPayoutCaps?.[input.currency] ?? null,
    contractId: input.contractId ?? null,
    reference,
    requestHash: hash,
    maxAttempts: options.maxAttempts,
    workerMaxAgeMs: maxAgeMs,
    account: parseAccountCode(payoutSourceAccount(input)),
    eventPayload: serializeEventPayload({
      payoutId: id,
      amount: input.amount,
      currency: input.currency,
      destinationType: destination.type,
      contractId: input.contractId ?? null,
    }),
    audit: options.audit
      ? {
          actor: options.audit.actor,
          ip: options.audit.ip,
          metadata: serializeEventPayload({ userId: input.userId, amount: input.amount, currency: input.currency, reference }),
        }
      : null,
  };

  const outcome = await createCombiner(db)(item);
  switch (outcome.outcome) {
    case "created":
      return {
        id,
        partnerId,
        userId: input.userId,
        amount: input.amount,
        currency: input.currency,
        destination,
        destinationType: destination.type,
        destinationId: outcome.destinationId,
        contractId: input.contractId ?? null,
        reference,
        status: "queued",
        attempts: 0,
        lastError: null,
        providerReference: null,
        providerKey: id,
        holdId: outcome.holdId,
        ledgerSnapshot: null,
        batchId: null,
        jobId: outcome.jobId,
        createdAt: outcome.createdAt,
        updatedAt: outcome.createdAt,
        processingAt: null,
        paidAt: null,
        failedAt: null,
        cancelledAt: null,
        replayed: false,
      };
    case "exists": {
      const existing = await findByReference(db, partnerId, reference, hash);
      if (!existing) throw new Error(`payout ${outcome.payoutId} with reference ${reference} vanished`);
      return existing;
    }
    case "worker_offline":
      throw workerOffline(maxAgeMs);
    case "contract_missing": {
      const error = contractNotFound(input.contractId!);
      throw new DomainError("VALIDATION_FAILED", error.message, { fields: error.fields });
    }
    case "contract_producer":
      throw contractPayoutNotProducer(input.contractId!, input.userId);
    case "contract_not_released":
      throw contractEscrowNotReleased(input.contractId!, outcome.status);
    case "contract_short":
      throw contractDrawExceedsRelease(input.contractId!, outcome.settled - outcome.drawn);
    case "insufficient_funds":
      throw new DomainError(
        "INSUFFICIENT_FUNDS",
        `available balance ${formatMinorUnits(outcome.available, input.currency)} ${input.currency} is less than the payout's ${formatMinorUnits(input.amount, input.currency)}`,
        {
          fields: [{ path: "amount", message: "exceeds the available balance" }],
          details: { available: outcome.available.toString(), currency: input.currency, account: outcome.account },
        },
      );
    case "limit_exceeded":
      throw dailyPayoutCapExceeded({ ...outcome, currency: input.currency, amount: input.amount });
  }
}

/** 422 naming the limit, the currency, the cap and what remains of it today; nothing was held. */
function dailyPayoutCapExceeded(refusal: { cap: bigint; used: bigint; day: string; currency: CurrencyCode; amount: bigint }): DomainError {
  const remaining = refusal.cap > refusal.used ? refusal.cap - refusal.used : 0n;
  const format = (amount: bigint) => `${formatMinorUnits(amount, refusal.currency)} ${refusal.currency}`;
  return new DomainError(
    "LIMIT_EXCEEDED",
    `the partner's daily payout cap of ${format(refusal.cap)} (${refusal.day}, UTC) has ${format(remaining)} left, less than this payout's ${format(refusal.amount)}`,
    {
      fields: [{ path: "amount", message: `exceeds what remains of the partner's daily payout cap today (${format(remaining)})` }],
      details: {
        limit: "PARTNER_DAILY_PAYOUT_CAP",
        currency: refusal.currency,
        cap: refusal.cap.toString(),
        used: refusal.used.toString(),
        remaining: remaining.toString(),
        day: refusal.day,
      },
    },
  );
}

/**
 * The destination the payout goes to and its saved record: the saved one it names, or the inline
 * one, which `payouts_create` saves (once per user, partner and destination, audited) in the
 * statement that creates the payout, so a refused payout saves nothing. Either must fit the
 * currency and be past its cooling-off. With a cooling-off, a new inline destination is saved
 * first and the payout refused: the 409 says when it becomes payable, which starts counting then.
 */
async function payableDestination(
  options: CreatePayoutOptions,
): Promise<{ destination: PayoutDestination; destinationId: string; destinationKey: string | null }> {
  const { db, input } = options;
  const coolingOffHours = options.destinationCoolingOffHours ?? 0;
  if (input.destinationId !== undefined && input.destination !== undefined) {
    throw validationError([{ path: "destinationId", message: "give a destination or a destinationId, not both" }]);
  }
  if (input.destinationId !== undefined) {
    const saved = await findSavedDestination({ db, partnerId: options.partnerId, userId: input.userId, destinationId: input.destinationId, coolingOffHours });
    const mismatch = destinationCurrencyMismatch(saved.destination, input.currency);
    if (mismatch) throw validationError([{ path: "destinationId", message: mismatch }]);
    assertDestinationPayable(saved, "destinationId");
    return { destination: saved.destination, destinationId: saved.id, destinationKey: null };
  }
  if (input.destination === undefined) {
    throw validationError([{ path: "destination", message: "give a destination, or a saved one's destinationId" }]);
  }
  const mismatch = destinationCurrencyMismatch(input.destination, input.currency);
  if (mismatch) throw validationError([{ path: "destination", message: mismatch }]);
  if (coolingOffHours > 0) {
    const saved = await saveDestination({ db, partnerId: options.partnerId, userId: input.userId, destination: input.destination, coolingOffHours, audit: savingAudit(options) });
    assertDestinationPayable(saved, "destination");
    return { destination: input.destination, destinationId: saved.id, destinationKey: null };
  }
  return { destination: input.destination, destinationId: newDestinationId(), destinationKey: destinationKey(input.destination) };
}

function savingAudit(options: CreatePayoutOptions): { actor: string; ip: string | null } {
  return options.audit ?? { actor: "system:payouts", ip: null };
}

async function findByReference(db: Db, partnerId: string, reference: string, hash: string): Promise<CreatePayoutResult | null> {
  const existing = await db.payout.findUnique({ where: { partnerId_reference: { partnerId, reference } } });
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
