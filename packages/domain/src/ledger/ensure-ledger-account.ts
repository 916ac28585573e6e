import { parseAccountCode } from "./account-codes";
import type { AccountBalance } from "./account-balance";
import { getAccountBalance } from "./get-account-balance";
import type { LedgerClient } from "./ledger-types";

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

