-- Nothing reads or writes ledger_snapshots: a payout's balances before and after its settlement
-- live on the payout row (payouts.ledger_snapshot), and recordLedgerSnapshot, the table's only
-- writer, had no caller but its own test. Its append-only trigger goes with it.
DROP TABLE "ledger_snapshots";

-- Holds are committed one way: ledger_commit_holds, which payouts_settle calls for every settled
-- payout. ledger_commit_hold (one hold, partial amounts, replays by key) was reached only by the
-- TypeScript commitHold, which had no caller but tests since settlement moved to SQL.
DROP FUNCTION ledger_commit_hold(bigint, text, text, jsonb, text, text, bigint, text, text, text, text, boolean);
