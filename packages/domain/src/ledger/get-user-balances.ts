import { toBalance, type AccountBalance, type BalanceRow } from "./account-balance";
import type { LedgerClient } from "./ledger-types";

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

