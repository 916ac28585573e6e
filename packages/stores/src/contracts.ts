import type { Db, Tx } from "@agrinet/db";

/* The contracts area's SQL: the row lock settlement serialises on, and the default ratings' queue. */

/** Locks the contract's row until the transaction ends; false when there is none. */
export async function lockContractRow(tx: Tx, contractId: string): Promise<boolean> {
  const locked = await tx.$queryRaw<Array<{ id: string }>>`select id from contracts where id = ${contractId} for update`;
  return locked.length > 0;
}

export type DueDefaultRating = { contractId: string; role: "consumer" | "producer" };

/**
 * Parties of contracts past their rating window (and ever funded: not `open`) that have not
 * rated, oldest window first, at most `limit`.
 */
export async function readDueDefaultRatings(db: Db, query: { now: Date; limit: number }): Promise<DueDefaultRating[]> {
  return db.$queryRaw<DueDefaultRating[]>`
    select c.id as "contractId", r.role::text as role
    from contracts c
    cross join (values ('consumer'), ('producer')) as r(role)
    where c.rating_window_ends_at <= ${query.now}
      and c.status <> 'open'
      and not exists (
        select 1 from ratings x where x.contract_id = c.id and x.rater_role::text = r.role)
    order by c.rating_window_ends_at, c.id, r.role
    limit ${query.limit}`;
}
