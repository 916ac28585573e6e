import type { LedgerClient } from "./ledger-types";

/** Releases up to `limit` pending holds past their expiry; returns their ids. Run periodically. */
export async function expireLedgerHolds(
  client: LedgerClient,
  options: { now?: Date; limit?: number } = {},
): Promise<bigint[]> {
  const rows = await client.$queryRaw<Array<{ id: bigint }>>`
    select id from ledger_expire_holds(${options.now ?? new Date()}::timestamptz, ${options.limit ?? 500}::int) as id`;
  return rows.map((r) => r.id);
}
