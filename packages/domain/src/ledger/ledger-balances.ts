import { DomainError, type CurrencyCode } from "@agrinet/core";
import { parseAccountCode, type AccountOwnerType } from "./account-codes";
import type { LedgerClient } from "./ledger-types";

export type AccountBalance = {
  accountId: bigint;
  account: string;
  ownerType: AccountOwnerType;
  ownerId: string;
  purpose: string;
  currency: CurrencyCode;
  allowNegative: boolean;
  posted: bigint;
  held: bigint;
  /** posted - held: what may still be spent or reserved. */
  available: bigint;
};

type BalanceRow = {
  account_id: bigint;
  code: string;
  owner_type: AccountOwnerType;
  owner_id: string;
  purpose: string;
  currency: CurrencyCode;
  allow_negative: boolean;
  posted: bigint;
  held: bigint;
};

function toBalance(row: BalanceRow): AccountBalance {
  return {
    accountId: row.account_id,
    account: row.code,
    ownerType: row.owner_type,
    ownerId: row.owner_id,
    purpose: row.purpose,
    currency: row.currency,
    allowNegative: row.allow_negative,
    posted: row.posted,
    held: row.held,
    available: row.posted - row.held,
  };
}

/**
 * Creates the account (and its zero balance) if it does not exist yet; returns its balance.
 * Posting and holds do this themselves; call it to show an account before it has moved money.
 */
export async function ensureLedgerAccount(client: LedgerClient, code: string): Promise<AccountBalance> {
  const spec = parseAccountCode(code);
  await client.$queryRaw`select ledger_resolve_accounts(
    ${[spec.code]}::text[], ${[spec.ownerType]}::text[], ${[spec.ownerId]}::text[],
    ${[spec.purpose]}::text[], ${[spec.currency]}::text[], ${[spec.allowNegative]}::boolean[])`;
  return (await getAccountBalance(client, { account: code }))!;
}

/**
 * An account's balance. An account that was never used reads as zero (it exists once money
 * moves), so callers need not create accounts to show them.
 */
export async function getAccountBalance(
  client: LedgerClient,
  input: { account: string },
): Promise<AccountBalance> {
  const spec = parseAccountCode(input.account);
  const rows = await client.$queryRaw<BalanceRow[]>`
    select a.id as account_id, a.code, a.owner_type, a.owner_id, a.purpose, a.currency,
           a.allow_negative, b.posted, b.held
    from ledger_accounts a join ledger_balances b on b.account_id = a.id
    where a.code = ${spec.code}`;
  if (rows[0]) return toBalance(rows[0]);
  return {
    accountId: 0n,
    account: spec.code,
    ownerType: spec.ownerType,
    ownerId: spec.ownerId,
    purpose: spec.purpose,
    currency: spec.currency,
    allowNegative: spec.allowNegative,
    posted: 0n,
    held: 0n,
    available: 0n,
  };
}

/** Every account a user owns (their wallets, one per currency), ordered by currency. */
export async function getUserBalances(
  client: LedgerClient,
  input: { userId: string },
): Promise<AccountBalance[]> {
  const rows = await client.$queryRaw<BalanceRow[]>`
    select a.id as account_id, a.code, a.owner_type, a.owner_id, a.purpose, a.currency,
           a.allow_negative, b.posted, b.held
    from ledger_accounts a join ledger_balances b on b.account_id = a.id
    where a.owner_type = 'user' and a.owner_id = ${input.userId}
    order by a.currency, a.purpose`;
  return rows.map(toBalance);
}

/**
 * The account's posted balance as of an instant: the running balance stored on its last
 * posting at or before `at` (postings carry `balance_after`, so this is one index lookup).
 */
export async function getBalanceAt(
  client: LedgerClient,
  input: { account: string; at: Date },
): Promise<{ account: string; currency: CurrencyCode; at: Date; posted: bigint }> {
  const spec = parseAccountCode(input.account);
  if (Number.isNaN(input.at.getTime())) {
    throw new DomainError("VALIDATION_FAILED", "at: invalid date", { fields: [{ path: "at", message: "invalid date" }] });
  }
  const rows = await client.$queryRaw<Array<{ balance_after: bigint }>>`
    select p.balance_after from ledger_postings p
    where p.account_id = (select id from ledger_accounts where code = ${spec.code})
      and p.created_at <= ${input.at}::timestamptz
    order by p.created_at desc, p.account_version desc
    limit 1`;
  return { account: spec.code, currency: spec.currency, at: input.at, posted: rows[0]?.balance_after ?? 0n };
}
