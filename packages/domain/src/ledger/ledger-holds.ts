import { DomainError, type CurrencyCode } from "@agrinet/core";
import { parseAccountCode } from "./account-codes";
import { postingsFromRow, validateLedgerTransaction } from "./post-ledger-transaction";
import { toLedgerDomainError } from "./ledger-sql-errors";
import type {
  LedgerClient,
  LedgerMetadata,
  LedgerTransactionKind,
  PostedLedgerTransaction,
} from "./ledger-types";

export type LedgerHoldStatus = "pending" | "committed" | "voided" | "expired";

export type LedgerHold = {
  id: bigint;
  accountId: bigint;
  account: string;
  amount: bigint;
  currency: CurrencyCode;
  status: LedgerHoldStatus;
  expiresAt: Date | null;
  createdAt: Date;
  /** True when the idempotency key had already created this hold. */
  replayed: boolean;
};

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

export type CommitHoldInput = {
  holdId: bigint;
  /** Key of the ledger transaction the commit posts; committing again with it is a no-op. */
  idempotencyKey: string;
  kind: LedgerTransactionKind;
  /** Where the held funds go. */
  toAccount: string;
  /** Defaults to the whole hold; a smaller amount posts that much and releases the rest. */
  amount?: bigint;
  metadata?: LedgerMetadata;
};

/** Posts the held funds from the held account to `toAccount` and releases the reservation. */
export async function commitHold(
  client: LedgerClient,
  input: CommitHoldInput,
): Promise<PostedLedgerTransaction> {
  const to = parseAccountCode(input.toAccount);
  // Validated like any transaction (kind, key, metadata); the amounts are checked by the database
  // against the hold itself.
  const probe = validateLedgerTransaction({
    idempotencyKey: input.idempotencyKey,
    kind: input.kind,
    metadata: input.metadata,
    postings: [
      { account: input.toAccount, amount: -1n, currency: to.currency },
      { account: input.toAccount, amount: 1n, currency: to.currency },
    ],
  });
  if (input.amount !== undefined && input.amount <= 0n) {
    throw new DomainError("VALIDATION_FAILED", "amount must be greater than zero", {
      fields: [{ path: "amount", message: "must be greater than zero" }],
    });
  }
  try {
    const hold = await client.$queryRaw<Array<{ code: string; currency: string; amount: bigint }>>`
      select a.code, h.currency, h.amount from ledger_holds h join ledger_accounts a on a.id = h.account_id
      where h.id = ${input.holdId}`;
    if (!hold[0]) throw new DomainError("NOT_FOUND", `hold ${input.holdId} does not exist`);
    if (hold[0].currency !== to.currency) {
      throw new DomainError("VALIDATION_FAILED", `hold is in ${hold[0].currency}, ${to.code} in ${to.currency}`, {
        fields: [{ path: "toAccount", message: `must be a ${hold[0].currency} account` }],
      });
    }
    const amount = input.amount ?? hold[0].amount;
    const postings = [
      { account: hold[0].code, amount: -amount, currency: to.currency },
      { account: to.code, amount, currency: to.currency },
    ];
    const requestHash = validateLedgerTransaction({ ...probe.input, postings }).requestHash;
    const rows = await client.$queryRaw<
      Array<{
        transaction_id: bigint;
        replayed: boolean;
        created_at: Date;
        posting_ids: bigint[];
        account_ids: bigint[];
        balances_after: bigint[];
      }>
    >`select * from ledger_commit_hold(
        ${input.holdId}::bigint, ${input.idempotencyKey}, ${input.kind},
        ${JSON.stringify(input.metadata ?? {})}::jsonb, ${probe.contractId}, ${requestHash},
        ${input.amount ?? null}::bigint, ${to.code}, ${to.ownerType}, ${to.ownerId}, ${to.purpose},
        ${to.allowNegative})`;
    return postingsFromRow({ ...probe.input, postings }, rows[0]!);
  } catch (error) {
    throw toLedgerDomainError(error);
  }
}

/** Releases a pending hold. Voiding an already voided or expired hold is a no-op. */
export async function voidHold(
  client: LedgerClient,
  input: { holdId: bigint },
): Promise<{ holdId: bigint; status: LedgerHoldStatus; replayed: boolean }> {
  try {
    const rows = await client.$queryRaw<
      Array<{ hold_id: bigint; replayed: boolean; status: LedgerHoldStatus }>
    >`select * from ledger_void_hold(${input.holdId}::bigint)`;
    return { holdId: rows[0]!.hold_id, status: rows[0]!.status, replayed: rows[0]!.replayed };
  } catch (error) {
    throw toLedgerDomainError(error);
  }
}

/** Releases up to `limit` pending holds past their expiry; returns their ids. Run periodically. */
export async function expireLedgerHolds(
  client: LedgerClient,
  options: { now?: Date; limit?: number } = {},
): Promise<bigint[]> {
  const rows = await client.$queryRaw<Array<{ id: bigint }>>`
    select id from ledger_expire_holds(${options.now ?? new Date()}::timestamptz, ${options.limit ?? 500}::int) as id`;
  return rows.map((r) => r.id);
}
