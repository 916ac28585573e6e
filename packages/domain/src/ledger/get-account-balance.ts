import { readAccountBalance } from "@agrinet/stores/ledger";
import { parseAccountCode } from "./account-codes";
import { toBalance, type AccountBalance } from "./account-balance";
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
  const row = await readAccountBalance(client, spec.code);
  if (row) return toBalance(row);
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

