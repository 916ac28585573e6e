import type { Deposit, TxClient } from "@agrinet/db";
import { emitDomainEvent, type DomainEventInput } from "../events/emit-domain-event";

export type DepositEventType =
  | "deposit.created"
  | "deposit.confirmed"
  | "deposit.failed"
  | "deposit.refunded";

type DepositEventFields = Pick<
  Deposit,
  "id" | "userId" | "amount" | "currency" | "method" | "reference" | "status" | "contractId"
>;

/** The outbox record of a deposit's state change. */
export function depositEvent(
  type: DepositEventType,
  deposit: DepositEventFields,
  extra: Record<string, unknown> = {},
): DomainEventInput {
  return {
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
  };
}

/** Writes the deposit's event in the transaction that made the change. */
export function emitDepositEvent(
  tx: TxClient,
  type: DepositEventType,
  deposit: Deposit,
  extra: Record<string, unknown> = {},
): Promise<bigint> {
  return emitDomainEvent(tx, depositEvent(type, deposit, extra));
}
