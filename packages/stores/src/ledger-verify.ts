import type { Db, Tx } from "@agrinet/db";

/*
 * The ledger's audit (`pnpm ledger:verify`, every reliability scenario's last step): each check is
 * one query returning a line per violation.
 */

export type LedgerCheckResult = {
  name: string;
  description: string;
  violations: number;
  /** Up to ten offending rows, described for a human. */
  examples: string[];
};

export type LedgerTotals = { accounts: number; transactions: number; postings: number; pendingHolds: number };

// Each query returns one text line per violation.
const checks: Array<{ name: string; description: string; sql: string }> = [
  {
    name: "transactions_balance",
    description: "every transaction's postings sum to zero per currency",
    sql: `select format('transaction %s: %s postings sum to %s', transaction_id, currency, sum(amount))
          from ledger_postings group by transaction_id, currency having sum(amount) <> 0`,
  },
  {
    name: "transactions_have_postings",
    description: "every transaction has at least two postings",
    sql: `select format('transaction %s (%s) has %s posting(s)', t.id, t.idempotency_key, count(p.id))
          from ledger_transactions t left join ledger_postings p on p.transaction_id = t.id
          group by t.id having count(p.id) < 2`,
  },
  {
    name: "balances_match_postings",
    description: "every balance equals the sum of its postings (and counts them)",
    sql: `select format('%s: balance %s, postings sum to %s (%s postings, version %s)', a.code, b.posted,
                        coalesce(s.total, 0), coalesce(s.n, 0), b.version)
          from ledger_balances b join ledger_accounts a on a.id = b.account_id
          left join (select account_id, sum(amount) as total, count(*) as n from ledger_postings
                     group by account_id) s on s.account_id = b.account_id
          where b.posted <> coalesce(s.total, 0) or b.version <> coalesce(s.n, 0)`,
  },
  {
    name: "running_balances",
    description: "each posting's balance_after is the running sum of the account's postings",
    sql: `select format('posting %s on account %s: balance_after %s, running sum %s', id, account_id,
                        balance_after, running)
          from (select id, account_id, balance_after, account_version,
                       sum(amount) over (partition by account_id order by account_version) as running,
                       row_number() over (partition by account_id order by account_version) as position
                from ledger_postings) p
          where balance_after <> running or account_version <> position`,
  },
  {
    name: "no_forbidden_negative",
    description: "accounts that may not go negative have posted - held >= 0, and held >= 0 everywhere",
    sql: `select format('%s: posted %s, held %s', a.code, b.posted, b.held)
          from ledger_balances b join ledger_accounts a on a.id = b.account_id
          where b.held < 0 or (not a.allow_negative and b.posted - b.held < 0)`,
  },
  {
    name: "holds_consistent",
    description: "each account's held amount equals the sum of its pending holds",
    sql: `select format('%s: held %s, pending holds sum to %s', a.code, b.held, coalesce(h.total, 0))
          from ledger_balances b join ledger_accounts a on a.id = b.account_id
          left join (select account_id, sum(amount) as total from ledger_holds
                     where status = 'pending' group by account_id) h on h.account_id = b.account_id
          where b.held <> coalesce(h.total, 0)`,
  },
  {
    name: "committed_holds_posted",
    description: "every committed hold names the transaction that posted it",
    sql: `select format('hold %s is committed without a posted transaction', h.id)
          from ledger_holds h left join ledger_transactions t on t.id = h.commit_transaction_id
          where h.status = 'committed' and t.id is null`,
  },
  {
    name: "accounts_consistent",
    description: "every account has one balance row with its currency and overdraft rule, and postings in its currency",
    sql: `select format('%s: balance row %s', a.code,
                        case when b.account_id is null then 'missing'
                             else format('currency %s, allow_negative %s', b.currency, b.allow_negative) end)
          from ledger_accounts a left join ledger_balances b on b.account_id = a.id
          where b.account_id is null or b.currency <> a.currency or b.allow_negative <> a.allow_negative
          union all
          select format('posting %s in %s on a %s account', p.id, p.currency, a.currency)
          from ledger_postings p join ledger_accounts a on a.id = p.account_id
          where p.currency <> a.currency`,
  },
];

/**
 * Runs every check and counts the ledger's rows in one repeatable-read snapshot, so concurrent
 * posting can't produce false alarms.
 */
export async function runLedgerChecks(db: Db): Promise<{ checks: LedgerCheckResult[]; totals: LedgerTotals }> {
  const run = async (tx: Tx) => {
    const results: LedgerCheckResult[] = [];
    for (const check of checks) {
      const rows = await tx.$queryRawUnsafe<Array<{ line: string; total: bigint }>>(
        `select line, count(*) over () as total from (${check.sql}) as v(line) limit 10`,
      );
      results.push({
        name: check.name,
        description: check.description,
        violations: Number(rows[0]?.total ?? 0n),
        examples: rows.map((r) => r.line),
      });
    }
    const [totals] = await tx.$queryRaw<
      Array<{ accounts: bigint; transactions: bigint; postings: bigint; pendingHolds: bigint }>
    >`select (select count(*) from ledger_accounts) as accounts,
             (select count(*) from ledger_transactions) as transactions,
             (select count(*) from ledger_postings) as postings,
             (select count(*) from ledger_holds where status = 'pending') as "pendingHolds"`;
    return {
      checks: results,
      totals: {
        accounts: Number(totals!.accounts),
        transactions: Number(totals!.transactions),
        postings: Number(totals!.postings),
        pendingHolds: Number(totals!.pendingHolds),
      },
    };
  };
  return db.$transaction(run, { isolationLevel: "RepeatableRead", timeout: 600_000, maxWait: 60_000 });
}
