import { DomainError } from "@agrinet/core";
import type { LedgerClient } from "./ledger-types";

export type LedgerSnapshotBalance = {
  account: string;
  currency: string;
  /** Posted balance just before the transaction's first posting to the account. */
  postedBefore: string;
  /** Posted balance right after its last posting to the account. */
  postedAfter: string;
  /** Held amount when the snapshot was taken. */
  held: string;
};

export type LedgerSnapshot = {
  id: bigint;
  subjectType: string;
  subjectId: string;
  transactionId: bigint;
  balances: LedgerSnapshotBalance[];
  createdAt: Date;
};

/**
 * Stores the balances of every account a ledger transaction touched, before and after it (the
 * spec: "audit every payout with ledger snapshots"). Call it in the same database transaction as
 * the posting. The figures come from the postings' running balances, so they are exact even
 * when other transfers hit the same accounts concurrently.
 */
export async function recordLedgerSnapshot(
  client: LedgerClient,
  input: { subjectType: string; subjectId: string; transactionId: bigint },
): Promise<LedgerSnapshot> {
  const rows = await client.$queryRaw<
    Array<{ id: bigint; balances: LedgerSnapshotBalance[] | null; created_at: Date }>
  >`
    with touched as (
      select a.code as account, a.currency,
             (array_agg(p.balance_after - p.amount order by p.account_version))[1] as posted_before,
             (array_agg(p.balance_after order by p.account_version desc))[1] as posted_after,
             b.held
      from ledger_postings p
      join ledger_accounts a on a.id = p.account_id
      join ledger_balances b on b.account_id = p.account_id
      where p.transaction_id = ${input.transactionId}
      group by a.code, a.currency, b.held
    ), balances as (
      select jsonb_agg(jsonb_build_object(
               'account', account, 'currency', currency, 'postedBefore', posted_before::text,
               'postedAfter', posted_after::text, 'held', held::text) order by account) as balances
      from touched
    )
    insert into ledger_snapshots (subject_type, subject_id, transaction_id, balances)
    select ${input.subjectType}, ${input.subjectId}, ${input.transactionId}, balances
    from balances where balances is not null
    returning id, balances, created_at`;
  const row = rows[0];
  if (!row) {
    throw new DomainError("NOT_FOUND", `ledger transaction ${input.transactionId} has no postings`);
  }
  return {
    id: row.id,
    subjectType: input.subjectType,
    subjectId: input.subjectId,
    transactionId: input.transactionId,
    balances: row.balances ?? [],
    createdAt: row.created_at,
  };
}

/** The snapshots stored for a subject (e.g. every ledger step of one payout), oldest first. */
export async function listLedgerSnapshots(
  client: LedgerClient,
  input: { subjectType: string; subjectId: string },
): Promise<LedgerSnapshot[]> {
  const rows = await client.ledgerSnapshot.findMany({
    where: { subjectType: input.subjectType, subjectId: input.subjectId },
    orderBy: { id: "asc" },
  });
  return rows.map((row) => ({
    id: row.id,
    subjectType: row.subjectType,
    subjectId: row.subjectId,
    transactionId: row.transactionId,
    balances: row.balances as LedgerSnapshotBalance[],
    createdAt: row.createdAt,
  }));
}
