import { DomainError, type CurrencyCode } from "@agrinet/core";
import { parseAccountCode } from "./account-codes";
import type { LedgerHold, LedgerHoldStatus } from "./ledger-hold";
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
    const rows = await client.$queryRaw<
      Array<{
        hold_id: bigint;
        replayed: boolean;
        status: LedgerHoldStatus;
        account_id: bigint;
        amount: bigint;
        expires_at: Date | null;
        created_at: Date;
      }>
    >`select * from ledger_create_hold(
        ${input.idempotencyKey}, ${spec.code}, ${spec.ownerType}, ${spec.ownerId}, ${spec.purpose},
        ${spec.currency}, ${spec.allowNegative}, ${input.amount}::bigint,
        ${input.expiresAt ?? null}::timestamptz, ${JSON.stringify(input.metadata ?? {})}::jsonb)`;
    const row = rows[0]!;
    return {
      id: row.hold_id,
      accountId: row.account_id,
      account: spec.code,
      amount: row.amount,
      currency: spec.currency,
      status: row.status,
      expiresAt: row.expires_at,
      createdAt: row.created_at,
      replayed: row.replayed,
    };
  } catch (error) {
    throw toLedgerDomainError(error);
  }
}

