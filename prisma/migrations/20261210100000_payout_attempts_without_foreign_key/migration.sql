-- DropForeignKey
ALTER TABLE "payout_attempts" DROP CONSTRAINT "payout_attempts_payout_id_fkey";

-- payout_attempts is written only by the trigger payouts_record_attempt, from the payout row it
-- fires on: the row exists, in the same transaction, and payouts are never deleted (nothing
-- deletes them; the ledger and the audit name them for good). The key's check ran on every
-- payout's first attempt, locking the payout row it had just updated (a lock record in the WAL):
-- on a migrated database, 10,000 payouts started, awaiting and paid in batches of 20 cost
-- PostgreSQL 1.55-1.67 s of CPU with the trigger and the key, 1.22-1.26 s without the key,
-- 0.84-0.88 s without the trigger (`pnpm bench:payouts` runs the same transitions).
