import { DomainError, type CurrencyCode } from "@agrinet/core";
import type { Db, Tx, TxClient } from "@agrinet/db";
import { lockContractForFunding, recordContractFunding } from "@agrinet/stores/contracts";
import { emitDomainEvent } from "../events/emit-domain-event";
import { contractEscrowAccount, userWalletAccount } from "../ledger/account-codes";
import { contractNotFound } from "./load-contract";

/**
 * Deposits call this when they are created with `metadata.contractId`: the contract must exist
 * and hold the deposit's currency (400 otherwise, naming the field).
 */
export async function checkContractFundable(
  db: Db | Tx,
  input: { contractId: string; currency: CurrencyCode },
): Promise<void> {
  const contract = await db.contract.findUnique({ where: { id: input.contractId } });
  if (!contract) {
    const error = contractNotFound(input.contractId, "metadata.contractId");
    throw new DomainError("VALIDATION_FAILED", error.message, { fields: error.fields });
  }
  if (contract.currency !== input.currency) {
    throw new DomainError("VALIDATION_FAILED", `contract ${contract.id} is in ${contract.currency}`, {
      fields: [{ path: "currency", message: `must be ${contract.currency}, the contract's currency` }],
    });
  }
}

/**
 * Deposits call this inside the transaction that credits the escrow, before posting: it locks
 * the contract (so a rating cannot settle the escrow concurrently) and answers where the money
 * goes. An open or funded contract's escrow takes it (open becomes funded); a disputed one's
 * frozen escrow takes it too, for the operator's resolution. Once the consumer has released
 * the escrow, a late top-up follows the same settlement straight to the producer's wallet;
 * a refunded contract takes nothing.
 */
export async function recordEscrowFunding(
  tx: TxClient,
  input: { contractId: string; currency: CurrencyCode; amount: bigint; depositId: string },
): Promise<{ account: string }> {
  const contract = await lockContractForFunding(tx, input.contractId);
  if (!contract) throw contractNotFound(input.contractId);
  if (contract.currency !== input.currency) {
    throw new DomainError("VALIDATION_FAILED", `contract ${contract.id} is in ${contract.currency}`, {
      fields: [{ path: "currency", message: `must be ${contract.currency}` }],
    });
  }
  if (contract.status === "refunded") {
    throw new DomainError("INVALID_STATE", `contract ${contract.id} was refunded: its escrow is closed`, {
      fields: [{ path: "metadata.contractId", message: "contract is refunded" }],
    });
  }
  const released = contract.status === "released";
  if (released) await recordContractFunding(tx, contract.id, { settledIncrement: input.amount });
  else if (contract.status === "open") await recordContractFunding(tx, contract.id, { funded: true });
  await emitDomainEvent(tx, {
    type: released ? "escrow.released" : "escrow.funded",
    aggregateType: "contract",
    aggregateId: contract.id,
    userIds: [contract.consumerId, contract.producerId],
    payload: {
      contractId: contract.id,
      userId: released ? contract.producerId : contract.consumerId,
      amount: input.amount,
      currency: input.currency,
      depositId: input.depositId,
    },
  });
  return {
    account: released
      ? userWalletAccount(contract.producerId, input.currency)
      : contractEscrowAccount(contract.id, input.currency),
  };
}

/**
 * Payouts with `contractId` draw on what the contract released to its producer: the payer must
 * be the producer, the escrow must have been released, and the payouts already drawn against
 * it (`alreadyDrawn`) plus this one must fit the released amount. Creating a payout applies this
 * rule inside its batch statement, under the contract's row lock (`payouts_create`), with the
 * refusals below; this answers the same question for one payout without creating it.
 */
export async function checkContractPayout(
  db: Db | Tx,
  input: { contractId: string; userId: string; amount: bigint; alreadyDrawn: bigint },
): Promise<void> {
  const contract = await db.contract.findUnique({ where: { id: input.contractId } });
  if (!contract) {
    const error = contractNotFound(input.contractId);
    throw new DomainError("VALIDATION_FAILED", error.message, { fields: error.fields });
  }
  if (contract.producerId !== input.userId) throw contractPayoutNotProducer(contract.id, input.userId);
  if (contract.status !== "released") throw contractEscrowNotReleased(contract.id, contract.status);
  const remaining = contract.settledAmount - input.alreadyDrawn;
  if (input.amount > remaining) throw contractDrawExceedsRelease(contract.id, remaining);
}

/** A payout naming a contract whose producer is someone else. */
export function contractPayoutNotProducer(contractId: string, userId: string): DomainError {
  return new DomainError("VALIDATION_FAILED", `user ${userId} is not the producer of ${contractId}`, {
    fields: [{ path: "contractId", message: "the payout's user must be the contract's producer" }],
  });
}

/** A payout naming a contract whose escrow has not reached the producer. */
export function contractEscrowNotReleased(contractId: string, status: string): DomainError {
  return new DomainError("ESCROW_NOT_RELEASED", `contract ${contractId} is ${status}: its escrow has not been released to the producer`, {
    fields: [{ path: "contractId", message: "escrow not released" }],
    details: { contractId, status },
  });
}

/** A payout larger than what is left of the contract's released funds. */
export function contractDrawExceedsRelease(contractId: string, remaining: bigint): DomainError {
  return new DomainError("INSUFFICIENT_FUNDS", `only ${remaining} of contract ${contractId}'s released funds remain`, {
    fields: [{ path: "amount", message: "exceeds the contract's released funds" }],
    details: { available: remaining.toString(), contractId },
  });
}
