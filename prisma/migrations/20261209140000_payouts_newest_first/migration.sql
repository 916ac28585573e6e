-- The payouts list newest first (the dashboard's default view, staff's GET /payouts): without an
-- index on its order every page sorted every payout, 2.2x slower at 7,000 payouts than at 200
-- and growing with the table (`pnpm bench:ledger`, "payouts, staff list").
-- CreateIndex
CREATE INDEX "payouts_created_at_id_idx" ON "payouts"("created_at" DESC, "id" DESC);
