-- payouts_record_attempt runs once per statement over the statement's changed rows (transition
-- tables), three set-based statements, instead of once per changed row with one or two
-- statements each. Payouts change in batches (a run's tag, the worker's start, the "awaiting the
-- result" and the status checks, the settlement), and the row trigger fired three times in each
-- payout's life: ~140-190 us per payout of PostgreSQL's time under `pnpm bench:payouts`
-- (BENCH_PG_STATEMENTS=1, by function), the third largest function after payouts_create and
-- payouts_settle. Same rows written: a payout's attempt starts when its attempts grow (the
-- previous one, if any, closed as retried), and the current attempt records the payout's error
-- and provider request id when they change and its outcome when the payout becomes final.
-- payout_attempts is still written only by this trigger, from the payout row's own changes.
CREATE OR REPLACE FUNCTION public.payouts_record_attempt()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
DECLARE
  -- the payouts whose attempts this statement's changes concern: the updates below reach their
  -- attempt rows through the primary key (`= ANY`), whatever plan PL/pgSQL cached
  ids text[];
BEGIN
  SELECT array_agg(n.id) INTO ids
  FROM new_payouts n JOIN old_payouts o ON o.id = n.id
  WHERE n.attempts <> o.attempts OR n.status <> o.status OR n.last_error IS DISTINCT FROM o.last_error
     OR n.provider_request_id IS DISTINCT FROM o.provider_request_id;
  IF ids IS NULL THEN
    RETURN NULL;
  END IF;
  -- A retryable answer equal to the previous attempt's leaves last_error unchanged (no update
  -- above recorded it): the previous attempt's error is the row's if the row changed after that
  -- attempt started (a crashed worker's attempt changed nothing, and keeps no error). A first
  -- attempt has no previous one (attempts start at 1).
  UPDATE payout_attempts a
     SET outcome = 'retried', finished_at = now(),
         error = coalesce(a.error, CASE WHEN o.updated_at > a.started_at THEN o.last_error END)
    FROM new_payouts n JOIN old_payouts o ON o.id = n.id
   WHERE n.attempts > o.attempts AND o.attempts > 0
     AND a.payout_id = ANY(ids) AND a.payout_id = n.id AND a.attempt = o.attempts AND a.finished_at IS NULL;
  INSERT INTO payout_attempts (payout_id, attempt, destination, started_at)
  SELECT n.id, n.attempts, n.destination, now()
    FROM new_payouts n JOIN old_payouts o ON o.id = n.id
   WHERE n.attempts > o.attempts AND n.id = ANY(ids)
   ORDER BY n.id
  ON CONFLICT (payout_id, attempt) DO NOTHING;
  -- The current attempt's outcome when the payout became final, else its error and provider
  -- request id when those changed.
  UPDATE payout_attempts a
     SET outcome = CASE WHEN c.final THEN c.status ELSE a.outcome END,
         error = CASE WHEN c.final THEN CASE WHEN c.status = 'paid' THEN a.error ELSE coalesce(c.last_error, a.error) END
                      WHEN c.error_changed THEN coalesce(c.last_error, a.error)
                      ELSE a.error END,
         provider_request_id = coalesce(c.provider_request_id, a.provider_request_id),
         provider_reference = CASE WHEN c.final THEN coalesce(c.provider_reference, a.provider_reference) ELSE a.provider_reference END,
         finished_at = CASE WHEN c.final THEN now() ELSE a.finished_at END
    FROM (SELECT n.id, n.attempts, n.status, n.last_error, n.provider_request_id, n.provider_reference,
                 n.status IN ('paid', 'failed', 'cancelled') AND n.status IS DISTINCT FROM o.status AS final,
                 n.last_error IS DISTINCT FROM o.last_error AS error_changed,
                 n.provider_request_id IS DISTINCT FROM o.provider_request_id AS request_changed
            FROM new_payouts n JOIN old_payouts o ON o.id = n.id
           WHERE n.attempts <> 0) c
   WHERE (c.final OR c.error_changed OR c.request_changed)
     AND a.payout_id = ANY(ids) AND a.payout_id = c.id AND a.attempt = c.attempts AND a.finished_at IS NULL;
  RETURN NULL;
END
$function$;

DROP TRIGGER payouts_record_attempt ON payouts;
CREATE TRIGGER payouts_record_attempt AFTER UPDATE ON payouts
  REFERENCING OLD TABLE AS old_payouts NEW TABLE AS new_payouts
  FOR EACH STATEMENT EXECUTE FUNCTION payouts_record_attempt();
