-- CreateTable
CREATE TABLE "payout_attempts" (
    "payout_id" TEXT NOT NULL,
    "attempt" INTEGER NOT NULL,
    "destination" JSONB NOT NULL,
    "outcome" TEXT,
    "error" TEXT,
    "provider_request_id" TEXT,
    "provider_reference" TEXT,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "payout_attempts_pkey" PRIMARY KEY ("payout_id","attempt")
);

-- AddForeignKey
ALTER TABLE "payout_attempts" ADD CONSTRAINT "payout_attempts_payout_id_fkey" FOREIGN KEY ("payout_id") REFERENCES "payouts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "payout_attempts" ADD CONSTRAINT "payout_attempts_attempt_positive" CHECK ("attempt" > 0);
ALTER TABLE "payout_attempts" ADD CONSTRAINT "payout_attempts_outcome_known"
  CHECK ("outcome" IN ('paid', 'failed', 'cancelled', 'retried'));

-- Every attempt as its own record, written from the payout row's own changes. The payout moves
-- through many statements (payouts-start, payouts_settle, the await and callback statements,
-- Prisma updates on fail, retry and cancel); recording an attempt beside each would be a second
-- implementation of every transition, and the next statement added would forget it. The WHEN
-- clause keeps the trigger off updates that change none of what an attempt records.
--   attempts + 1   a worker took the payout: the previous attempt, if still open, is "retried";
--                  a new one opens with the destination it is sent to
--   last_error     the rail's answer (or a note, such as a status check giving up) on the open one
--   provider_request_id   the provider's id for the request in flight
--   a final status closes the open attempt with its outcome and receipt
CREATE FUNCTION payouts_record_attempt() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.attempts > OLD.attempts THEN
    -- A retryable answer equal to the previous attempt's leaves last_error unchanged (no update
    -- above recorded it): the row's error is this attempt's if the row changed after it started
    -- (a crashed worker's attempt changed nothing, and keeps no error).
    UPDATE payout_attempts
       SET outcome = 'retried', finished_at = now(),
           error = coalesce(error, CASE WHEN OLD.updated_at > started_at THEN OLD.last_error END)
     WHERE payout_id = NEW.id AND attempt = OLD.attempts AND finished_at IS NULL;
    INSERT INTO payout_attempts (payout_id, attempt, destination, started_at)
    VALUES (NEW.id, NEW.attempts, NEW.destination, now())
    ON CONFLICT (payout_id, attempt) DO NOTHING;
  END IF;
  IF NEW.attempts = 0 THEN
    RETURN NULL;
  END IF;
  IF NEW.status IN ('paid', 'failed', 'cancelled') AND NEW.status IS DISTINCT FROM OLD.status THEN
    UPDATE payout_attempts
       SET outcome = NEW.status,
           error = CASE WHEN NEW.status = 'paid' THEN error ELSE coalesce(NEW.last_error, error) END,
           provider_request_id = coalesce(NEW.provider_request_id, provider_request_id),
           provider_reference = coalesce(NEW.provider_reference, provider_reference),
           finished_at = now()
     WHERE payout_id = NEW.id AND attempt = NEW.attempts AND finished_at IS NULL;
  ELSIF NEW.last_error IS DISTINCT FROM OLD.last_error OR NEW.provider_request_id IS DISTINCT FROM OLD.provider_request_id THEN
    UPDATE payout_attempts
       SET error = CASE WHEN NEW.last_error IS DISTINCT FROM OLD.last_error THEN coalesce(NEW.last_error, error) ELSE error END,
           provider_request_id = coalesce(NEW.provider_request_id, provider_request_id)
     WHERE payout_id = NEW.id AND attempt = NEW.attempts AND finished_at IS NULL;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER payouts_record_attempt AFTER UPDATE ON "payouts" FOR EACH ROW
  WHEN (NEW.attempts <> OLD.attempts OR NEW.status <> OLD.status
        OR NEW.last_error IS DISTINCT FROM OLD.last_error
        OR NEW.provider_request_id IS DISTINCT FROM OLD.provider_request_id)
  EXECUTE FUNCTION payouts_record_attempt();

-- Payouts attempted before this migration: their attempts were merged into the row, so only the
-- last one can be told (as attempt number `attempts`, with the row's last answer).
INSERT INTO payout_attempts (payout_id, attempt, destination, outcome, error, provider_request_id, provider_reference, started_at, finished_at)
SELECT id, attempts, destination,
       CASE WHEN status IN ('paid', 'failed', 'cancelled') THEN status END,
       CASE WHEN status = 'paid' THEN NULL ELSE last_error END,
       provider_request_id, provider_reference,
       coalesce(processing_at, created_at),
       coalesce(paid_at, failed_at, cancelled_at)
  FROM payouts WHERE attempts > 0;
