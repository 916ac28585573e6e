import type { Deposit, Tx } from "@agrinet/db";
import { emitDomainEvent } from "../events/emit-domain-event";

export type DepositEventType =
  | "deposit.created"
  | "deposit.confirmed"
  | "deposit.failed"
  | "deposit.refunded";

/** The outbox record of a deposit's state change; written in the transaction that made it. */
export function emitDepositEvent(
  tx: Tx,
  type: DepositEventType,
  deposit: Deposit,
  extra: Record<string, unknown> = {},
): Promise<bigint> {
  return emitDomainEvent(tx, {
    type,
    aggregateType: "deposit",
    aggregateId: deposit.id,
    userIds: [deposit.userId],
    payload: {
      depositId: deposit.id,
      userId: deposit.userId,
      amount: deposit.amount,
      currency: deposit.currency,
      method: deposit.method,
      reference: deposit.reference,
      status: deposit.status,
      contractId: deposit.contractId,
      ...extra,
    },
  });
}
