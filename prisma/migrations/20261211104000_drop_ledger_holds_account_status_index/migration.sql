-- ledger_holds (account_id, status) served no query: holds are reached by id (commit, void,
-- expiry), by idempotency key (a replayed hold, a payout's reservation) and by the expiry sweep's
-- own partial index; the ledger audit (`pnpm ledger:verify`) reads every pending hold anyway, and
-- accounts are never updated or deleted (the foreign key needs no index on this side). Every
-- payout wrote two entries into it, on its hold and on the hold's commit.
-- DropIndex
DROP INDEX "ledger_holds_account_id_status_idx";
