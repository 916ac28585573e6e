-- Three indexes on columns that most rows leave null now index only the rows that have a value:
-- every query that uses them asks for a value (`=`, `<=`), which PostgreSQL proves implies
-- IS NOT NULL, so the same plans use them. A payout's life wrote 7 entries into them for nothing:
-- payouts.provider_reference on the insert, the run's and the worker's updates (non-HOT: they
-- change indexed columns), ledger_holds (status, expires_at) on the hold and its commit (payout
-- holds never expire), ledger_transactions.contract_id on the settlement.
-- DropIndex
DROP INDEX "ledger_transactions_contract_id_idx";

-- DropIndex
DROP INDEX "ledger_holds_status_expires_at_idx";

-- DropIndex
DROP INDEX "payouts_provider_reference_idx";

-- CreateIndex
CREATE INDEX "ledger_transactions_contract_id_idx" ON "ledger_transactions"("contract_id") WHERE (contract_id IS NOT NULL);

-- CreateIndex
CREATE INDEX "ledger_holds_status_expires_at_idx" ON "ledger_holds"("status", "expires_at") WHERE (expires_at IS NOT NULL);

-- CreateIndex
CREATE INDEX "payouts_provider_reference_idx" ON "payouts"("provider_reference") WHERE (provider_reference IS NOT NULL);
