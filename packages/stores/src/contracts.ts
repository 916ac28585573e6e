import type { Db, Tx, TxClient } from "@agrinet/db";
import { txRows } from "./sql-client";

/* The contracts area's SQL: the row lock settlement serialises on, escrow funding by deposits, and the default ratings' queue. */

/** Locks the contract's row until the transaction ends; false when there is none. */
export async function lockContractRow(tx: Tx, contractId: string): Promise<boolean> {
  const locked = await tx.$queryRaw<Array<{ id: string }>>`select id from contracts where id = ${contractId} for update`;
  return locked.length > 0;
}

/** What a deposit into a contract's escrow needs to know of it. */
export type ContractFundingRow = { id: string; currency: string; status: string; consumerId: string; producerId: string };

/** Locks the contract's row until the transaction ends and reads what funding it needs; null when there is none. */
export async function lockContractForFunding(tx: TxClient, contractId: string): Promise<ContractFundingRow | null> {
  const [row] = await txRows<ContractFundingRow>(tx, {
    name: "contracts-lock-for-funding",
    text: `select id, currency, status::text as status, consumer_id as "consumerId", producer_id as "producerId"
           from contracts where id = $1 for update`,
    values: [contractId],
  });
  return row ?? null;
}

/** A deposit reached the contract: an open one becomes funded; a released one's late top-up adds to what went to the producer. */
export async function recordContractFunding(tx: TxClient, contractId: string, change: { funded: true } | { settledIncrement: bigint }): Promise<void> {
  await txRows(tx, "funded" in change
    ? { name: "contracts-mark-funded", text: "update contracts set status = 'funded', updated_at = now() where id = $1", values: [contractId] }
    : {
        name: "contracts-add-settled",
        text: "update contracts set settled_amount = settled_amount + $2::bigint, updated_at = now() where id = $1",
        values: [contractId, change.settledIncrement.toString()],
      });
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
