import type { CurrencyCode } from "@agrinet/core";
import type { AccountBalanceRow } from "@agrinet/stores/ledger";
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

export function toBalance(row: AccountBalanceRow): AccountBalance {
  return {
    accountId: row.accountId,
    account: row.code,
    // Written only from parsed account codes (parseAccountCode), so these are the domain's values.
    ownerType: row.ownerType as AccountOwnerType,
    ownerId: row.ownerId,
    purpose: row.purpose,
    currency: row.currency as CurrencyCode,
    allowNegative: row.allowNegative,
    posted: row.posted,
    held: row.held,
    available: row.posted - row.held,
  };
}
