import { callLedgerExpireHolds } from "@agrinet/stores/ledger";
import type { LedgerClient } from "./ledger-types";

/** Releases up to `limit` pending holds past their expiry; returns their ids. Run periodically. */
export async function expireLedgerHolds(
  client: LedgerClient,
  options: { now?: Date; limit?: number } = {},
): Promise<bigint[]> {
  return callLedgerExpireHolds(client, options.now ?? new Date(), options.limit ?? 500);
}
