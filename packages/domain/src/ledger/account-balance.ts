import type { CurrencyCode } from "@agrinet/core";
import type { AccountOwnerType } from "./account-codes";

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

export type BalanceRow = {
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

export function toBalance(row: BalanceRow): AccountBalance {
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
