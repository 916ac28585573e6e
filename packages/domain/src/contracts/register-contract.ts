import { homePartnerInTx } from "@agrinet/stores/tenancy";
import { randomBytes } from "node:crypto";
import { amountAboveMaximum, DomainError, validationError, type CurrencyCode } from "@agrinet/core";
import { Prisma, type Db } from "@agrinet/db";
import { emitDomainEvent } from "../events/emit-domain-event";
import { defaultRatingWindowDays } from "./contract-types";
import { getContract } from "./get-contract";

export type RegisterContractInput = {
  id?: string;
  consumerId: string;
  producerId: string;
  currency: CurrencyCode;
  expectedAmount: bigint;
  ratingWindowDays?: number;
  metadata?: Record<string, unknown>;
};

export const contractIdPattern = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * Registers a trade. Registering the same id again with the same terms returns the contract
 * (a partner retrying is harmless); different terms under a known id → 409.
 */
export async function registerContract(options: {
  db: Db;
  input: RegisterContractInput;
  /** The registering partner; staff register for the consumer's home partner. */
  partnerId?: string;
  now?: Date;
  maxAmount?: bigint;
}) {
  const { db, input } = options;
  const now = options.now ?? new Date();
  if (input.consumerId === input.producerId) {
    throw validationError([{ path: "producerId", message: "the producer must differ from the consumer" }]);
  }
  if (input.expectedAmount <= 0n) {
    throw validationError([{ path: "expectedAmount", message: "must be greater than zero" }]);
  }
  const aboveMaximum = amountAboveMaximum("expectedAmount", input.expectedAmount, options.maxAmount);
  if (aboveMaximum) throw validationError([aboveMaximum]);
  const id = input.id ?? `contract_${randomBytes(6).toString("hex")}`;
  const windowDays = input.ratingWindowDays ?? defaultRatingWindowDays;
  try {
    await db.$transaction(async (tx) => {
      await tx.contract.create({
        data: {
          id,
          partnerId: options.partnerId ?? (await homePartnerInTx(tx, input.consumerId)),
          consumerId: input.consumerId,
          producerId: input.producerId,
          currency: input.currency,
          expectedAmount: input.expectedAmount,
          ratingWindowEndsAt: new Date(now.getTime() + windowDays * 86_400_000),
          metadata: (input.metadata ?? {}) as Prisma.InputJsonValue,
        },
      });
      await emitDomainEvent(tx, {
        type: "contract.registered",
        aggregateType: "contract",
        aggregateId: id,
        userIds: [input.consumerId, input.producerId],
        payload: {
          contractId: id,
          consumerId: input.consumerId,
          producerId: input.producerId,
          currency: input.currency,
          expectedAmount: input.expectedAmount,
        },
      });
    });
  } catch (error) {
    if (!(error instanceof Prisma.PrismaClientKnownRequestError) || error.code !== "P2002") throw error;
    const existing = await getContract({ db, contractId: id });
    // Contract ids are platform-wide: another partner's is refused without a word about it.
    if (options.partnerId && existing.partnerId !== options.partnerId) {
      throw new DomainError("DUPLICATE_REFERENCE", `contract id ${id} is taken; choose another`, {
        fields: [{ path: "id", message: "already used" }],
      });
    }
    const sameTerms =
      existing.consumerId === input.consumerId &&
      existing.producerId === input.producerId &&
      existing.currency === input.currency &&
      existing.expectedAmount === input.expectedAmount;
    if (!sameTerms) {
      throw new DomainError("DUPLICATE_REFERENCE", `contract ${id} is already registered with other terms`, {
        fields: [{ path: "id", message: "already used" }],
        details: { contractId: id },
      });
    }
    return existing;
  }
  return getContract({ db, contractId: id });
}
