import type { SqlClient } from "./sql-client";

/*
 * Holds (two-phase transfers): ledger_create_holds, ledger_void_hold and ledger_expire_holds.
 * Committing a hold is settlement's: payouts_settle calls ledger_commit_holds in SQL.
 */

export type HoldStatus = "pending" | "committed" | "voided" | "expired";

export type HoldAccount = {
  code: string;
  ownerType: string;
  ownerId: string;
  purpose: string;
  currency: string;
  allowNegative: boolean;
};

export type CreatedHoldRow = {
  holdId: bigint;
  replayed: boolean;
  status: HoldStatus;
  accountId: bigint;
  amount: bigint;
  expiresAt: Date | null;
  createdAt: Date;
};

/**
 * One hold: a batch of one of the SQL function ledger_create_holds (the one implementation, which
 * payouts_create calls with its whole batch); the account is created on first use.
 */
export async function callLedgerCreateHold(
  client: SqlClient,
  hold: { idempotencyKey: string; account: HoldAccount; amount: bigint; expiresAt: Date | null; metadata: string },
): Promise<CreatedHoldRow> {
  const a = hold.account;
  const rows = await client.$queryRaw<CreatedHoldRow[]>`
    select hold_id as "holdId", replayed, status, account_id as "accountId", amount, expires_at as "expiresAt",
           created_at as "createdAt"
    from ledger_create_holds(
      array[${hold.idempotencyKey}::text], array[${a.code}::text], array[${a.ownerType}::text], array[${a.ownerId}::text],
      array[${a.purpose}::text], array[${a.currency}::text], array[${a.allowNegative}::boolean],
      array[${hold.amount}::bigint], array[${hold.expiresAt}::timestamptz], array[${hold.metadata}::jsonb])`;
  return rows[0]!;
}

/** The SQL function ledger_void_hold: a voided or expired hold answers `replayed`. */
export async function callLedgerVoidHold(
  client: SqlClient,
  holdId: bigint,
): Promise<{ holdId: bigint; status: HoldStatus; replayed: boolean }> {
  const rows = await client.$queryRaw<Array<{ holdId: bigint; status: HoldStatus; replayed: boolean }>>`
    select hold_id as "holdId", status, replayed from ledger_void_hold(${holdId}::bigint)`;
  return rows[0]!;
}

/** The SQL function ledger_expire_holds: releases up to `limit` pending holds past `now`; their ids. */
export async function callLedgerExpireHolds(client: SqlClient, now: Date, limit: number): Promise<bigint[]> {
  const rows = await client.$queryRaw<Array<{ id: bigint }>>`
    select id from ledger_expire_holds(${now}::timestamptz, ${limit}::int) as id`;
  return rows.map((row) => row.id);
}
