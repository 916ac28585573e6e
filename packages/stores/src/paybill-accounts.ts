import type { Db, Tx } from "@agrinet/db";

/* The paybill accounts area's SQL beyond Prisma's model queries. */

/**
 * Whether the platform knows this user id: one with a deposit or a wallet (users live in the
 * partner apps, so a C2B BillRefNumber naming a user is checked against what we hold).
 */
export async function isKnownUser(db: Db | Tx, userId: string): Promise<boolean> {
  const [row] = await db.$queryRaw<Array<{ known: boolean }>>`
    select exists (select 1 from deposits where user_id = ${userId})
        or exists (select 1 from ledger_accounts where owner_type = 'user' and owner_id = ${userId}) as known`;
  return row?.known ?? false;
}
