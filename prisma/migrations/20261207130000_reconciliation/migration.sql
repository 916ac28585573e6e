-- CreateTable
CREATE TABLE "reconciliation_statements" (
    "id" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "file_name" TEXT,
    "file_sha256" CHAR(64) NOT NULL,
    "bank" TEXT,
    "period_from" TIMESTAMPTZ(3),
    "period_to" TIMESTAMPTZ(3),
    "currency" CHAR(3),
    "opening_balance" BIGINT,
    "closing_balance" BIGINT,
    "rows_parsed" INTEGER NOT NULL,
    "refused_rows" JSONB NOT NULL DEFAULT '[]',
    "status" TEXT NOT NULL DEFAULT 'preview',
    "lines_added" INTEGER,
    "uploaded_by" TEXT NOT NULL,
    "committed_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "committed_at" TIMESTAMPTZ(3),

    CONSTRAINT "reconciliation_statements_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "reconciliation_statement_rows" (
    "statement_id" TEXT NOT NULL,
    "row_number" INTEGER NOT NULL,
    "identity" TEXT NOT NULL,
    "reference" TEXT,
    "batch_reference" TEXT,
    "booked_at" TIMESTAMPTZ(3) NOT NULL,
    "amount" BIGINT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "counterparty" TEXT,
    "balance_after" BIGINT,

    CONSTRAINT "reconciliation_statement_rows_pkey" PRIMARY KEY ("statement_id","row_number")
);

-- CreateTable
CREATE TABLE "reconciliation_lines" (
    "id" BIGSERIAL NOT NULL,
    "source" TEXT NOT NULL,
    "identity" TEXT NOT NULL,
    "statement_id" TEXT NOT NULL,
    "row_number" INTEGER NOT NULL,
    "reference" TEXT,
    "batch_reference" TEXT,
    "booked_at" TIMESTAMPTZ(3) NOT NULL,
    "amount" BIGINT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "counterparty" TEXT,
    "status" TEXT NOT NULL DEFAULT 'unmatched',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "reconciliation_lines_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "reconciliation_matches" (
    "id" BIGSERIAL NOT NULL,
    "line_id" BIGINT NOT NULL,
    "posting_id" BIGINT NOT NULL,
    "rule" TEXT NOT NULL,
    "run_id" TEXT,
    "matched_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "reconciliation_matches_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "reconciliation_runs" (
    "id" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "dry_run" BOOLEAN NOT NULL,
    "counts" JSONB NOT NULL DEFAULT '{}',
    "started_by" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "reconciliation_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "reconciliation_exceptions" (
    "id" BIGSERIAL NOT NULL,
    "key" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'new',
    "line_id" BIGINT,
    "posting_id" BIGINT,
    "reference" TEXT,
    "ledger_amount" BIGINT,
    "statement_amount" BIGINT,
    "currency" CHAR(3),
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "detail" TEXT NOT NULL DEFAULT '',
    "assignee" TEXT,
    "resolution" TEXT,
    "resolution_reason" TEXT,
    "resolved_by" TEXT,
    "resolved_at" TIMESTAMPTZ(3),
    "adjustment_transaction_id" BIGINT,
    "first_run_id" TEXT,
    "last_run_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "reconciliation_exceptions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "reconciliation_exception_comments" (
    "id" BIGSERIAL NOT NULL,
    "exception_id" BIGINT NOT NULL,
    "author" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "reconciliation_exception_comments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "reconciliation_bank_mappings" (
    "bank" TEXT NOT NULL,
    "columns" JSONB NOT NULL,
    "date_format" TEXT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "updated_by" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "reconciliation_bank_mappings_pkey" PRIMARY KEY ("bank")
);

-- CreateIndex
CREATE INDEX "reconciliation_statements_source_status_period_to_idx" ON "reconciliation_statements"("source", "status", "period_to");

-- CreateIndex
CREATE INDEX "reconciliation_lines_source_status_reference_idx" ON "reconciliation_lines"("source", "status", "reference");

-- CreateIndex
CREATE INDEX "reconciliation_lines_source_booked_at_idx" ON "reconciliation_lines"("source", "booked_at");

-- CreateIndex
CREATE UNIQUE INDEX "reconciliation_lines_source_identity_key" ON "reconciliation_lines"("source", "identity");

-- CreateIndex
CREATE UNIQUE INDEX "reconciliation_matches_posting_id_key" ON "reconciliation_matches"("posting_id");

-- CreateIndex
CREATE INDEX "reconciliation_matches_line_id_idx" ON "reconciliation_matches"("line_id");

-- CreateIndex
CREATE INDEX "reconciliation_runs_source_started_at_idx" ON "reconciliation_runs"("source", "started_at");

-- CreateIndex
CREATE UNIQUE INDEX "reconciliation_exceptions_key_key" ON "reconciliation_exceptions"("key");

-- CreateIndex
CREATE INDEX "reconciliation_exceptions_status_source_kind_created_at_idx" ON "reconciliation_exceptions"("status", "source", "kind", "created_at");

-- CreateIndex
CREATE INDEX "reconciliation_exception_comments_exception_id_id_idx" ON "reconciliation_exception_comments"("exception_id", "id");

-- Reconciliation keeps its history: statements, lines, matches, exceptions and comments are
-- never deleted (a resolution is recorded on the exception instead).
CREATE FUNCTION reconciliation_refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'reconciliation records are never deleted (%)', TG_TABLE_NAME;
END $$;
CREATE TRIGGER reconciliation_statements_no_delete BEFORE DELETE ON reconciliation_statements
  FOR EACH STATEMENT EXECUTE FUNCTION reconciliation_refuse_delete();
CREATE TRIGGER reconciliation_lines_no_delete BEFORE DELETE ON reconciliation_lines
  FOR EACH STATEMENT EXECUTE FUNCTION reconciliation_refuse_delete();
CREATE TRIGGER reconciliation_matches_no_delete BEFORE DELETE ON reconciliation_matches
  FOR EACH STATEMENT EXECUTE FUNCTION reconciliation_refuse_delete();
CREATE TRIGGER reconciliation_exceptions_no_delete BEFORE DELETE ON reconciliation_exceptions
  FOR EACH STATEMENT EXECUTE FUNCTION reconciliation_refuse_delete();
CREATE TRIGGER reconciliation_exception_comments_no_delete BEFORE DELETE ON reconciliation_exception_comments
  FOR EACH STATEMENT EXECUTE FUNCTION reconciliation_refuse_delete();
