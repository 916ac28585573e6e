-- CreateTable
CREATE TABLE "reconciliation_balance_comparisons" (
    "id" BIGSERIAL NOT NULL,
    "source" TEXT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "day" DATE NOT NULL,
    "version" INTEGER NOT NULL,
    "compared_at" TIMESTAMPTZ(3) NOT NULL,
    "statement_opening" BIGINT,
    "statement_closing" BIGINT,
    "ledger_closing" BIGINT NOT NULL,
    "difference" BIGINT,
    "trigger" TEXT NOT NULL,
    "statement_id" TEXT,
    "run_id" TEXT NOT NULL,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "reconciliation_balance_comparisons_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "reconciliation_balance_comparisons_source_currency_day_vers_key" ON "reconciliation_balance_comparisons"("source", "currency", "day", "version");

-- A recorded comparison is history: a figure that comes out differently later is a new version,
-- never an edit or a deletion.
CREATE FUNCTION reconciliation_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'reconciliation history is never changed or deleted (%)', TG_TABLE_NAME;
END $$;
CREATE TRIGGER reconciliation_balance_comparisons_no_change BEFORE UPDATE OR DELETE ON reconciliation_balance_comparisons
  FOR EACH STATEMENT EXECUTE FUNCTION reconciliation_refuse_change();
