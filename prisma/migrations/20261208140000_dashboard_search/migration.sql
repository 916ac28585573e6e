-- The dashboard's search finds a payout by the phone or account it pays. PostgreSQL computes the
-- column from the destination, so no writer (payouts_create, Prisma) has to remember it.
ALTER TABLE "payouts" ADD COLUMN "destination_account" TEXT
  GENERATED ALWAYS AS ("destination" ->> 'account') STORED;

-- CreateIndex
CREATE INDEX "payouts_amount_created_at_idx" ON "payouts"("amount", "created_at" DESC);

-- CreateIndex
CREATE INDEX "payouts_destination_account_created_at_idx" ON "payouts"("destination_account", "created_at" DESC);

-- CreateIndex
CREATE INDEX "payouts_provider_reference_idx" ON "payouts"("provider_reference");

-- CreateIndex
CREATE INDEX "deposits_amount_created_at_idx" ON "deposits"("amount", "created_at" DESC);

-- CreateIndex
CREATE INDEX "mpesa_payments_phone_number_created_at_idx" ON "mpesa_payments"("phone_number", "created_at" DESC);
