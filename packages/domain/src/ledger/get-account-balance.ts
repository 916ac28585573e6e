import { parseAccountCode } from "./account-codes";
import { toBalance, type AccountBalance, type BalanceRow } from "./account-balance";
import type { LedgerClient } from "./ledger-types";

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

