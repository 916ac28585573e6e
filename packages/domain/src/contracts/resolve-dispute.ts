import { DomainError } from "@agrinet/core";
import type { Db } from "@agrinet/db";
import { emitDomainEvent } from "../events/emit-domain-event";
import { lockContract } from "./load-contract";
import { settleEscrow } from "./settle-escrow";

export type DisputeResolution = "release" | "refund";

/** An operator closes a dispute by moving the frozen escrow to the producer or the consumer. */
export async function resolveDispute(options: {
  db: Db;
  resolvedBy: string;
  input: { disputeId: string; resolution: DisputeResolution; note?: string };
}) {
  const { db, resolvedBy, input } = options;
  return db.$transaction(async (tx) => {
    const found = await tx.dispute.findUnique({ where: { id: input.disputeId } });
    if (!found) {
      throw new DomainError("NOT_FOUND", `no dispute ${input.disputeId}`, {
        fields: [{ path: "disputeId", message: "unknown dispute" }],
      });
    }
    const contract = await lockContract(tx, found.contractId);
    // Re-read under the contract's lock: two operators resolving at once settle once.
    const dispute = await tx.dispute.findUniqueOrThrow({ where: { id: input.disputeId } });
    if (dispute.status !== "open" || contract.status !== "disputed") {
      throw new DomainError("INVALID_STATE", `dispute ${dispute.id} is already resolved`, {
        details: { resolution: dispute.resolution },
      });
    }
    const settlement = await settleEscrow(
      tx,
      contract,
      input.resolution === "release" ? "released" : "refunded",
      { disputeId: dispute.id },
    );
    const resolved = await tx.dispute.update({
      where: { id: dispute.id },
      data: {
        status: "resolved",
        resolution: input.resolution,
        resolvedBy,
        resolutionNote: input.note?.trim() || null,
        resolvedAt: new Date(),
        ledgerTransactionId: settlement.ledgerTransactionId?.toString() ?? null,
      },
    });
    await emitDomainEvent(tx, {
      type: "dispute.resolved",
      aggregateType: "dispute",
      aggregateId: dispute.id,
      userIds: [contract.consumerId, contract.producerId],
      payload: {
        contractId: contract.id,
        disputeId: dispute.id,
        resolution: input.resolution,
        amount: settlement.amount,
        currency: contract.currency,
      },
    });
    return { dispute: resolved, settlement };
  });
}
