import { DomainError, type CurrencyCode } from "@agrinet/core";
import { readPostedBalanceAt } from "@agrinet/stores/ledger";
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
  const posted = await readPostedBalanceAt(client, spec.code, input.at);
  return { account: spec.code, currency: spec.currency, at: input.at, posted: posted ?? 0n };
}
