import { DomainError, type CurrencyCode } from "@agrinet/core";
import { parseAccountCode } from "./account-codes";
import type { LedgerClient } from "./ledger-types";

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
