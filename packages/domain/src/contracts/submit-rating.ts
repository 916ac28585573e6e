import { randomBytes } from "node:crypto";
import { DomainError, validationError } from "@agrinet/core";
import { Prisma, type Contract, type Db, type Rating, type Tx } from "@agrinet/db";
import { emitDomainEvent } from "../events/emit-domain-event";
import {
  defaultRatingValue,
  lbtasScale,
  maxNarrativeWords,
  systemRater,
  type LbtasValue,
  type RaterRole,
} from "./contract-types";
import { lockContract } from "./load-contract";
import { countWords } from "./narrative";
import { settleEscrow, type EscrowSettlement } from "./settle-escrow";

export type SubmitRatingInput = {
  contractId: string;
  raterRole: RaterRole;
  rating: number;
  narrative?: string;
};

export type SubmitRatingResult = {
  rating: Rating;
  settlement: EscrowSettlement | null;
  disputeId: string | null;
};

export function checkRatingInput(input: SubmitRatingInput): void {
  if (!(lbtasScale as readonly number[]).includes(input.rating)) {
    throw validationError([{ path: "rating", message: "must be an integer from -1 to 4 (LBTAS)" }]);
  }
  const narrative = input.narrative?.trim() ?? "";
  if (input.rating === -1 && !narrative) {
    throw validationError([
      { path: "narrative", message: "a -1 (No Trust) rating must carry a written narrative" },
    ]);
  }
  if (countWords(narrative) > maxNarrativeWords) {
    throw validationError([
      { path: "narrative", message: `at most ${maxNarrativeWords} words` },
    ]);
  }
}

function partyOf(contract: Contract, role: RaterRole): string {
  return role === "consumer" ? contract.consumerId : contract.producerId;
}

/**
 * Records one party's LBTAS rating. `raterId` is the user the caller acts for: only the party
 * of `raterRole` may rate. The consumer's 0..+4 releases the escrow to the producer; -1 freezes
 * it and opens a dispute; the producer's rating moves no money.
 */
export async function submitRating(options: {
  db: Db;
  raterId: string;
  input: SubmitRatingInput;
}): Promise<SubmitRatingResult> {
  const { db, raterId, input } = options;
  checkRatingInput(input);
  return db.$transaction(async (tx) => {
    const contract = await lockContract(tx, input.contractId);
    if (partyOf(contract, input.raterRole) !== raterId) {
      throw new DomainError("FORBIDDEN", `only the contract's ${input.raterRole} may rate as ${input.raterRole}`);
    }
    return recordRating(tx, contract, {
      raterRole: input.raterRole,
      raterId,
      value: input.rating as LbtasValue,
      narrative: input.narrative?.trim() || null,
      isDefault: false,
    });
  });
}

/** Shared by party ratings and the window's system defaults; caller holds the contract lock. */
export async function recordRating(
  tx: Tx,
  contract: Contract,
  rating: { raterRole: RaterRole; raterId: string; value: LbtasValue; narrative: string | null; isDefault: boolean },
): Promise<SubmitRatingResult> {
  const consumerRating = rating.raterRole === "consumer";
  // The consumer's rating settles the escrow, so there must be an escrow to settle, once.
  if (consumerRating && contract.status !== "funded") {
    throw new DomainError(
      "INVALID_STATE",
      contract.status === "open"
        ? `contract ${contract.id} is not funded yet`
        : `contract ${contract.id} is already ${contract.status}`,
      { fields: [{ path: "contractId", message: `contract is ${contract.status}` }] },
    );
  }
  let created: Rating;
  try {
    created = await tx.rating.create({
      data: {
        id: `rating_${randomBytes(8).toString("hex")}`,
        contractId: contract.id,
        raterRole: rating.raterRole,
        raterId: rating.isDefault ? systemRater : rating.raterId,
        rateeId: partyOf(contract, consumerRating ? "producer" : "consumer"),
        value: rating.isDefault ? defaultRatingValue : rating.value,
        narrative: rating.narrative,
        isDefault: rating.isDefault,
      },
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      throw new DomainError(
        "INVALID_STATE",
        `the ${rating.raterRole} has already rated contract ${contract.id}`,
        { fields: [{ path: "raterRole", message: "already rated" }] },
      );
    }
    throw error;
  }
  await emitDomainEvent(tx, {
    type: "rating.submitted",
    aggregateType: "rating",
    aggregateId: created.id,
    userIds: [contract.consumerId, contract.producerId],
    payload: {
      contractId: contract.id,
      raterRole: created.raterRole,
      value: created.value,
      isDefault: created.isDefault,
    },
  });

  if (!consumerRating) return { rating: created, settlement: null, disputeId: null };
  if (created.value === -1) {
    const disputeId = `dispute_${randomBytes(8).toString("hex")}`;
    await tx.dispute.create({ data: { id: disputeId, contractId: contract.id, ratingId: created.id } });
    await tx.contract.update({ where: { id: contract.id }, data: { status: "disputed" } });
    await emitDomainEvent(tx, {
      type: "dispute.opened",
      aggregateType: "dispute",
      aggregateId: disputeId,
      userIds: [contract.consumerId, contract.producerId],
      payload: { contractId: contract.id, disputeId, ratingId: created.id },
    });
    return { rating: created, settlement: null, disputeId };
  }
  const settlement = await settleEscrow(tx, contract, "released", { ratingId: created.id });
  return { rating: created, settlement, disputeId: null };
}
