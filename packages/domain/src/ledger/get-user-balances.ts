import { readOwnerBalances } from "@agrinet/stores/ledger";
import { toBalance, type AccountBalance } from "./account-balance";
import type { LedgerClient } from "./ledger-types";

/** Every account a user owns (their wallets, one per currency), ordered by currency. */
export async function getUserBalances(
  client: LedgerClient,
  input: { userId: string },
): Promise<AccountBalance[]> {
  const rows = await readOwnerBalances(client, { ownerType: "user", ownerId: input.userId });
  return rows.map(toBalance);
}
