import { DomainError, type CurrencyCode } from "@agrinet/core";
import { callLedgerCreateHold } from "@agrinet/stores/ledger";
import { parseAccountCode } from "./account-codes";
import type { LedgerHold } from "./ledger-hold";
import { toLedgerDomainError } from "./ledger-sql-errors";
import type { LedgerClient, LedgerMetadata } from "./ledger-types";

export type CreateHoldInput = {
  idempotencyKey: string;
  /** The account whose funds are reserved. */
  account: string;
  amount: bigint;
  currency: CurrencyCode;
  /** After this instant the hold can no longer be committed; `expireLedgerHolds` releases it. */
  expiresAt?: Date;
  metadata?: LedgerMetadata;
};

/**
 * Reserves funds: they stay posted but leave `available`. Fails with INSUFFICIENT_FUNDS
 * (details.available) when the account may not go negative and has too little available.
 */
export async function createHold(client: LedgerClient, input: CreateHoldInput): Promise<LedgerHold> {
  const spec = parseAccountCode(input.account);
  if (spec.currency !== input.currency) {
    throw new DomainError("VALIDATION_FAILED", `account ${input.account} holds ${spec.currency}`, {
      fields: [{ path: "currency", message: `account holds ${spec.currency}` }],
    });
  }
  if (input.amount <= 0n) {
    throw new DomainError("VALIDATION_FAILED", "amount must be greater than zero", {
      fields: [{ path: "amount", message: "must be greater than zero" }],
    });
  }
  try {
    const row = await callLedgerCreateHold(client, {
      idempotencyKey: input.idempotencyKey,
      account: spec,
      amount: input.amount,
      expiresAt: input.expiresAt ?? null,
      metadata: JSON.stringify(input.metadata ?? {}),
    });
    return {
      id: row.holdId,
      accountId: row.accountId,
      account: spec.code,
      amount: row.amount,
      currency: spec.currency,
      status: row.status,
      expiresAt: row.expiresAt,
      createdAt: row.createdAt,
      replayed: row.replayed,
    };
  } catch (error) {
    throw toLedgerDomainError(error);
  }
}
