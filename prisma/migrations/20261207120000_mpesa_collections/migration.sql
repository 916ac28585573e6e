-- CreateEnum
CREATE TYPE "mpesa_payment_kind" AS ENUM ('stk', 'c2b');

-- CreateTable
CREATE TABLE "mpesa_payments" (
    "id" TEXT NOT NULL,
    "kind" "mpesa_payment_kind" NOT NULL,
    "deposit_id" TEXT,
    "checkout_request_id" TEXT,
    "merchant_request_id" TEXT,
    "receipt" TEXT,
    "phone_number" TEXT,
    "account_reference" TEXT,
    "requested_amount" BIGINT,
    "amount" BIGINT,
    "currency" CHAR(3) NOT NULL,
    "state" TEXT NOT NULL,
    "result_code" TEXT,
    "result_desc" TEXT,
    "next_query_at" TIMESTAMPTZ(3),
    "queries" INTEGER NOT NULL DEFAULT 0,
    "flagged_at" TIMESTAMPTZ(3),
    "exception" TEXT,
    "exception_reason" TEXT,
    "suspense_transaction_id" TEXT,
    "resolved_by" TEXT,
    "resolved_at" TIMESTAMPTZ(3),
    "reversal_conversation_id" TEXT,
    "validated_at" TIMESTAMPTZ(3),
    "callbacks" JSONB NOT NULL DEFAULT '[]',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "mpesa_payments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "paybill_accounts" (
    "account_number" TEXT NOT NULL,
    "user_id" TEXT,
    "contract_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "paybill_accounts_pkey" PRIMARY KEY ("account_number")
);

-- CreateIndex
CREATE UNIQUE INDEX "mpesa_payments_deposit_id_key" ON "mpesa_payments"("deposit_id");

-- CreateIndex
CREATE UNIQUE INDEX "mpesa_payments_checkout_request_id_key" ON "mpesa_payments"("checkout_request_id");

-- CreateIndex
CREATE UNIQUE INDEX "mpesa_payments_receipt_key" ON "mpesa_payments"("receipt");

-- CreateIndex
CREATE UNIQUE INDEX "mpesa_payments_reversal_conversation_id_key" ON "mpesa_payments"("reversal_conversation_id");

-- CreateIndex
CREATE INDEX "mpesa_payments_next_query_at_idx" ON "mpesa_payments"("next_query_at");

-- CreateIndex
CREATE INDEX "mpesa_payments_exception_created_at_idx" ON "mpesa_payments"("exception", "created_at" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "paybill_accounts_user_id_key" ON "paybill_accounts"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "paybill_accounts_contract_id_key" ON "paybill_accounts"("contract_id");

-- AddForeignKey
ALTER TABLE "mpesa_payments" ADD CONSTRAINT "mpesa_payments_deposit_id_fkey" FOREIGN KEY ("deposit_id") REFERENCES "deposits"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Hand-written: the states the code writes, one owner per paybill account, and money records
-- that are never deleted (an unmatched payment is assigned or returned, not removed).
ALTER TABLE "mpesa_payments" ADD CONSTRAINT "mpesa_payments_state_check"
  CHECK ("state" IN ('requesting', 'sent', 'paid', 'cancelled', 'failed', 'no_answer', 'validated', 'rejected'));
ALTER TABLE "mpesa_payments" ADD CONSTRAINT "mpesa_payments_exception_check"
  CHECK ("exception" IS NULL OR "exception" IN ('open', 'assigned', 'returning', 'returned'));
ALTER TABLE "mpesa_payments" ADD CONSTRAINT "mpesa_payments_amounts_check"
  CHECK (("amount" IS NULL OR "amount" > 0) AND ("requested_amount" IS NULL OR "requested_amount" > 0));
ALTER TABLE "paybill_accounts" ADD CONSTRAINT "paybill_accounts_one_owner_check"
  CHECK (("user_id" IS NULL) <> ("contract_id" IS NULL));
ALTER TABLE "paybill_accounts" ADD CONSTRAINT "paybill_accounts_number_check"
  CHECK ("account_number" ~ '^[0-9]{4,12}$');

CREATE FUNCTION mpesa_payments_refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'mpesa_payments rows are never deleted (payment %)', OLD.id;
END $$;
CREATE TRIGGER mpesa_payments_no_delete BEFORE DELETE ON "mpesa_payments"
  FOR EACH ROW EXECUTE FUNCTION mpesa_payments_refuse_delete();

-- The STK Query sweep jobs covering these due times: one per second (job_key deduplicated),
-- as schedule_payout_status_sweeps does for payouts. plpgsql: graphile-worker installs its
-- schema itself, possibly after this migration.
create function schedule_mpesa_stk_sweeps(due timestamptz[]) returns integer
language plpgsql volatile as $$
declare
  slots timestamptz[];
begin
  select array_agg(distinct to_timestamp(ceil(extract(epoch from d)))) into slots from unnest(due) d where d is not null;
  if slots is null then
    return 0;
  end if;
  perform graphile_worker.add_jobs(array(
    select row('mpesa:stk-sweep', '{}'::json, null::text, s, 10,
               'mpesa:stk-sweep:' || extract(epoch from s)::bigint, null::int, null::text[])::graphile_worker.job_spec
    from unnest(slots) s order by s));
  return cardinality(slots);
end
$$;
