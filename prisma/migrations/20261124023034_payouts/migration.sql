-- CreateTable
CREATE TABLE "payouts" (
    "id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "amount" BIGINT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "destination_type" TEXT NOT NULL,
    "destination" JSONB NOT NULL,
    "contract_id" TEXT,
    "reference" TEXT NOT NULL,
    "request_hash" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "provider_reference" TEXT,
    "provider_request_id" TEXT,
    "hold_id" TEXT,
    "ledger_snapshot" JSONB,
    "batch_id" TEXT,
    "job_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processing_at" TIMESTAMPTZ(3),
    "paid_at" TIMESTAMPTZ(3),
    "failed_at" TIMESTAMPTZ(3),
    "cancelled_at" TIMESTAMPTZ(3),

    CONSTRAINT "payouts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "payout_batches" (
    "id" TEXT NOT NULL,
    "requested_by" TEXT NOT NULL,
    "filters" JSONB NOT NULL DEFAULT '{}',
    "total" INTEGER NOT NULL DEFAULT 0,
    "processed" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "totals" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "payout_batches_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "payouts_reference_key" ON "payouts"("reference");

-- CreateIndex
CREATE INDEX "payouts_status_currency_destination_type_created_at_idx" ON "payouts"("status", "currency", "destination_type", "created_at");

-- CreateIndex
CREATE INDEX "payouts_user_id_created_at_idx" ON "payouts"("user_id", "created_at");

-- CreateIndex
CREATE INDEX "payouts_batch_id_status_idx" ON "payouts"("batch_id", "status");

-- CreateIndex
CREATE INDEX "payout_batches_created_at_idx" ON "payout_batches"("created_at");

-- AddForeignKey
ALTER TABLE "payouts" ADD CONSTRAINT "payouts_batch_id_fkey" FOREIGN KEY ("batch_id") REFERENCES "payout_batches"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Hand-written: constraints Prisma's schema cannot express.
ALTER TABLE "payouts" ADD CONSTRAINT "payouts_amount_positive" CHECK ("amount" > 0);
ALTER TABLE "payouts" ADD CONSTRAINT "payouts_status_known"
  CHECK ("status" IN ('queued', 'processing', 'paid', 'failed', 'cancelled'));
ALTER TABLE "payouts" ADD CONSTRAINT "payouts_destination_type_known"
  CHECK ("destination_type" IN ('mpesa', 'stripe', 'bank'));
ALTER TABLE "payouts" ADD CONSTRAINT "payouts_attempts_non_negative" CHECK ("attempts" >= 0);
-- A paid payout always carries the rail's receipt: "paid" without proof cannot be recorded.
ALTER TABLE "payouts" ADD CONSTRAINT "payouts_paid_has_receipt"
  CHECK ("status" <> 'paid' OR ("provider_reference" IS NOT NULL AND "paid_at" IS NOT NULL));
ALTER TABLE "payout_batches" ADD CONSTRAINT "payout_batches_counts_non_negative"
  CHECK ("total" >= 0 AND "processed" >= 0 AND "failed" >= 0);
