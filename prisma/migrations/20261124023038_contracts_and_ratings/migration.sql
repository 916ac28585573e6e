-- CreateEnum
CREATE TYPE "contract_status" AS ENUM ('open', 'funded', 'released', 'disputed', 'refunded');

-- CreateEnum
CREATE TYPE "rater_role" AS ENUM ('consumer', 'producer');

-- CreateEnum
CREATE TYPE "dispute_status" AS ENUM ('open', 'resolved');

-- CreateTable
CREATE TABLE "contracts" (
    "id" TEXT NOT NULL,
    "consumer_id" TEXT NOT NULL,
    "producer_id" TEXT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "expected_amount" BIGINT NOT NULL,
    "status" "contract_status" NOT NULL DEFAULT 'open',
    "settled_amount" BIGINT NOT NULL DEFAULT 0,
    "rating_window_ends_at" TIMESTAMPTZ(3) NOT NULL,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "settled_at" TIMESTAMPTZ(3),

    CONSTRAINT "contracts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ratings" (
    "id" TEXT NOT NULL,
    "contract_id" TEXT NOT NULL,
    "rater_role" "rater_role" NOT NULL,
    "rater_id" TEXT NOT NULL,
    "ratee_id" TEXT NOT NULL,
    "value" INTEGER NOT NULL,
    "narrative" TEXT,
    "is_default" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ratings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rating_annotations" (
    "id" TEXT NOT NULL,
    "rating_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "by_user_id" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "rating_annotations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "disputes" (
    "id" TEXT NOT NULL,
    "contract_id" TEXT NOT NULL,
    "rating_id" TEXT NOT NULL,
    "status" "dispute_status" NOT NULL DEFAULT 'open',
    "resolution" TEXT,
    "resolved_by" TEXT,
    "resolution_note" TEXT,
    "ledger_transaction_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolved_at" TIMESTAMPTZ(3),

    CONSTRAINT "disputes_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "contracts_consumer_id_idx" ON "contracts"("consumer_id");

-- CreateIndex
CREATE INDEX "contracts_producer_id_idx" ON "contracts"("producer_id");

-- CreateIndex
CREATE INDEX "contracts_status_rating_window_ends_at_idx" ON "contracts"("status", "rating_window_ends_at");

-- CreateIndex
CREATE INDEX "ratings_ratee_id_idx" ON "ratings"("ratee_id");

-- CreateIndex
CREATE UNIQUE INDEX "ratings_contract_id_rater_role_key" ON "ratings"("contract_id", "rater_role");

-- CreateIndex
CREATE INDEX "rating_annotations_rating_id_idx" ON "rating_annotations"("rating_id");

-- CreateIndex
CREATE UNIQUE INDEX "disputes_rating_id_key" ON "disputes"("rating_id");

-- CreateIndex
CREATE INDEX "disputes_status_created_at_idx" ON "disputes"("status", "created_at");

-- AddForeignKey
ALTER TABLE "ratings" ADD CONSTRAINT "ratings_contract_id_fkey" FOREIGN KEY ("contract_id") REFERENCES "contracts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rating_annotations" ADD CONSTRAINT "rating_annotations_rating_id_fkey" FOREIGN KEY ("rating_id") REFERENCES "ratings"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "disputes" ADD CONSTRAINT "disputes_contract_id_fkey" FOREIGN KEY ("contract_id") REFERENCES "contracts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Hand-written: LBTAS rules the database enforces itself.
ALTER TABLE "ratings" ADD CONSTRAINT "ratings_value_lbtas_scale" CHECK ("value" BETWEEN -1 AND 4);
-- A -1 ("No Trust") carries a narrative; defaults are always +2 and attributed to the system.
ALTER TABLE "ratings" ADD CONSTRAINT "ratings_no_trust_needs_narrative"
  CHECK ("value" <> -1 OR length(btrim(coalesce("narrative", ''))) > 0);
ALTER TABLE "ratings" ADD CONSTRAINT "ratings_default_is_system_plus_two"
  CHECK (NOT "is_default" OR ("value" = 2 AND "rater_id" = 'system'));
ALTER TABLE "contracts" ADD CONSTRAINT "contracts_expected_amount_positive" CHECK ("expected_amount" > 0);
ALTER TABLE "contracts" ADD CONSTRAINT "contracts_parties_differ" CHECK ("consumer_id" <> "producer_id");

-- Rating events and their annotations are append-only: corrections are new events.
CREATE FUNCTION refuse_rating_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER ratings_append_only BEFORE UPDATE OR DELETE ON "ratings"
  FOR EACH ROW EXECUTE FUNCTION refuse_rating_change();
CREATE TRIGGER rating_annotations_append_only BEFORE UPDATE OR DELETE ON "rating_annotations"
  FOR EACH ROW EXECUTE FUNCTION refuse_rating_change();
