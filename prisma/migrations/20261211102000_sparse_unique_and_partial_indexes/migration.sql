-- Indexes on columns that most rows leave null index only the rows with a value (as
-- 20261210101000 did for three others): every query that uses them asks for a value (`=`,
-- `= ANY`, `<=`, IS NOT NULL), which PostgreSQL proves implies IS NOT NULL, so the same plans use
-- them, and a null is never a duplicate for a unique index anyway. An update that is not HOT (an
-- indexed column changed) writes an entry in every index whose predicate the new row meets: an
-- STK deposit wrote 24 entries into mpesa_payments' 8 indexes (its insert, the push's
-- acknowledgement, the callback), 10 of them nulls (receipt and checkout request until known,
-- reversal, exception, and the next query once final), and 2 null Stripe ids into deposits;
-- a payout wrote a null batch id on its insert. Unchanged for C2B payments, Stripe deposits and
-- payouts' batches, which have these values. The ON CONFLICT clauses on these tables name no
-- index (`skipDuplicates`), so they still skip a duplicate receipt or Stripe id.
--
-- payouts keeps a fifth of each page free (fillfactor 80): the worker's "awaiting the result"
-- and status-check updates change no indexed column, and an update is HOT (no index entry at
-- all) only when the new row version fits on the same page; under `pnpm bench:payouts` only
-- ~60% of them did.
ALTER TABLE "payouts" SET (fillfactor = 80);

-- DropIndex
DROP INDEX "payouts_batch_id_status_idx";

-- DropIndex
DROP INDEX "deposits_stripe_payment_intent_id_key";

-- DropIndex
DROP INDEX "mpesa_payments_checkout_request_id_key";

-- DropIndex
DROP INDEX "mpesa_payments_receipt_key";

-- DropIndex
DROP INDEX "mpesa_payments_reversal_conversation_id_key";

-- DropIndex
DROP INDEX "mpesa_payments_next_query_at_idx";

-- DropIndex
DROP INDEX "mpesa_payments_exception_created_at_idx";

-- CreateIndex
CREATE INDEX "payouts_batch_id_status_idx" ON "payouts"("batch_id", "status") WHERE (batch_id IS NOT NULL);

-- CreateIndex
CREATE UNIQUE INDEX "deposits_stripe_payment_intent_id_key" ON "deposits"("stripe_payment_intent_id") WHERE (stripe_payment_intent_id IS NOT NULL);

-- CreateIndex
CREATE UNIQUE INDEX "mpesa_payments_checkout_request_id_key" ON "mpesa_payments"("checkout_request_id") WHERE (checkout_request_id IS NOT NULL);

-- CreateIndex
CREATE UNIQUE INDEX "mpesa_payments_receipt_key" ON "mpesa_payments"("receipt") WHERE (receipt IS NOT NULL);

-- CreateIndex
CREATE UNIQUE INDEX "mpesa_payments_reversal_conversation_id_key" ON "mpesa_payments"("reversal_conversation_id") WHERE (reversal_conversation_id IS NOT NULL);

-- CreateIndex
CREATE INDEX "mpesa_payments_next_query_at_idx" ON "mpesa_payments"("next_query_at") WHERE (next_query_at IS NOT NULL);

-- CreateIndex
CREATE INDEX "mpesa_payments_exception_created_at_idx" ON "mpesa_payments"("exception", "created_at" DESC) WHERE (exception IS NOT NULL);
