-- CreateEnum
CREATE TYPE "deposit_method" AS ENUM ('mpesa', 'bank', 'cash', 'stripe');

-- CreateEnum
CREATE TYPE "deposit_status" AS ENUM ('pending', 'confirmed', 'failed');

-- CreateTable
CREATE TABLE "deposits" (
    "id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "amount" BIGINT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "method" "deposit_method" NOT NULL,
    "reference" TEXT NOT NULL,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "contract_id" TEXT,
    "status" "deposit_status" NOT NULL DEFAULT 'pending',
    "ledger_transaction_id" TEXT,
    "ledger_entry_ids" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "confirmed_by" TEXT,
    "evidence_url" TEXT,
    "receipt_sha256" CHAR(64),
    "receipt_url" TEXT,
    "failure_code" TEXT,
    "failure_reason" TEXT,
    "stripe_payment_intent_id" TEXT,
    "refunded_amount" BIGINT NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "confirmed_at" TIMESTAMPTZ(3),
    "failed_at" TIMESTAMPTZ(3),

    CONSTRAINT "deposits_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "receipts" (
    "sha256" CHAR(64) NOT NULL,
    "content_type" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "uploaded_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "receipts_pkey" PRIMARY KEY ("sha256")
);

-- CreateTable
CREATE TABLE "stripe_events" (
    "id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processed_at" TIMESTAMPTZ(3),
    "outcome" TEXT,

    CONSTRAINT "stripe_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "deposits_reference_key" ON "deposits"("reference");

-- CreateIndex
CREATE UNIQUE INDEX "deposits_stripe_payment_intent_id_key" ON "deposits"("stripe_payment_intent_id");

-- CreateIndex
CREATE INDEX "deposits_created_at_id_idx" ON "deposits"("created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "deposits_user_id_created_at_idx" ON "deposits"("user_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "deposits_status_created_at_idx" ON "deposits"("status", "created_at" DESC);

-- CreateIndex
CREATE INDEX "stripe_events_type_received_at_idx" ON "stripe_events"("type", "received_at");

-- Hand-written: invariants Prisma's schema cannot express.
ALTER TABLE "deposits"
  ADD CONSTRAINT "deposits_amount_positive" CHECK ("amount" > 0),
  ADD CONSTRAINT "deposits_currency_iso" CHECK ("currency" ~ '^[A-Z]{3}$'),
  ADD CONSTRAINT "deposits_refunded_within_amount" CHECK ("refunded_amount" >= 0 AND "refunded_amount" <= "amount"),
  ADD CONSTRAINT "deposits_confirmed_has_timestamp" CHECK ("status" <> 'confirmed' OR "confirmed_at" IS NOT NULL),
  ADD CONSTRAINT "deposits_failed_has_timestamp" CHECK ("status" <> 'failed' OR "failed_at" IS NOT NULL),
  ADD CONSTRAINT "deposits_refund_only_when_confirmed" CHECK ("refunded_amount" = 0 OR "status" = 'confirmed');

ALTER TABLE "receipts"
  ADD CONSTRAINT "receipts_sha256_hex" CHECK ("sha256" ~ '^[0-9a-f]{64}$'),
  ADD CONSTRAINT "receipts_size_positive" CHECK ("size" > 0);
