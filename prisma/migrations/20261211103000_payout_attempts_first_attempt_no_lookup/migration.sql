-- payouts_record_attempt looked for the previous attempt's row on every payout's first start,
-- where there is none (payout_attempts.attempt is positive): one index probe per payout for
-- nothing under `pnpm bench:payouts`. Same rows written.
CREATE OR REPLACE FUNCTION public.payouts_record_attempt()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  IF NEW.attempts > OLD.attempts THEN
    -- A retryable answer equal to the previous attempt's leaves last_error unchanged (no update
    -- above recorded it): the row's error is this attempt's if the row changed after it started
    -- (a crashed worker's attempt changed nothing, and keeps no error). A first attempt has no
    -- previous one (attempts start at 1).
    IF OLD.attempts > 0 THEN
      UPDATE payout_attempts
         SET outcome = 'retried', finished_at = now(),
             error = coalesce(error, CASE WHEN OLD.updated_at > started_at THEN OLD.last_error END)
       WHERE payout_id = NEW.id AND attempt = OLD.attempts AND finished_at IS NULL;
    END IF;
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
$function$;
