-- payout_attempts is still written only by a trigger on payouts, from the payout rows' own
-- changes, with the same rules as migration 20261208141000; it now runs once per statement over
-- the statement's changed rows (transition tables) instead of once per row. Every payout passes
-- three row triggers (started, awaiting its result, settled), each a PL/pgSQL call and one or
-- two single-row statements; the payout pipeline moves payouts in batches, so one call and
-- three set-based statements per batch do the same work (`pnpm bench:payouts`,
-- BENCH_PG_STATEMENTS=1: the row trigger's calls and statements were ~210 µs per payout).
--   attempts + 1   a worker took the payout: the previous attempt, if still open, is "retried";
--                  a new one opens with the destination it is sent to
--   last_error     the rail's answer (or a note, such as a status check giving up) on the open one
--   provider_request_id   the provider's id for the request in flight
--   a final status closes the open attempt with its outcome and receipt
-- A statement trigger with transition tables takes no WHEN clause: the statements' own
-- conditions are the old WHEN clause, and an update that changes none of it writes nothing.
DROP TRIGGER payouts_record_attempt ON "payouts";
DROP FUNCTION payouts_record_attempt();

CREATE FUNCTION payouts_record_attempts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- A retryable answer equal to the previous attempt's leaves last_error unchanged (no update
  -- above recorded it): the row's error is this attempt's if the row changed after it started
  -- (a crashed worker's attempt changed nothing, and keeps no error).
  UPDATE payout_attempts a
     SET outcome = 'retried', finished_at = now(),
         error = coalesce(a.error, CASE WHEN o.updated_at > a.started_at THEN o.last_error END)
    FROM changed_payouts n JOIN previous_payouts o ON o.id = n.id
   WHERE n.attempts > o.attempts
     AND a.payout_id = n.id AND a.attempt = o.attempts AND a.finished_at IS NULL;
  INSERT INTO payout_attempts (payout_id, attempt, destination, started_at)
  SELECT n.id, n.attempts, n.destination, now()
    FROM changed_payouts n JOIN previous_payouts o ON o.id = n.id
   WHERE n.attempts > o.attempts
   ORDER BY n.id
  ON CONFLICT (payout_id, attempt) DO NOTHING;
  -- The open attempt (possibly the one just opened): closed by a final status, or given the
  -- rail's answer and request id.
  UPDATE payout_attempts a
     SET outcome = CASE WHEN x.closes THEN x.status ELSE a.outcome END,
         error = CASE WHEN x.closes THEN CASE WHEN x.status = 'paid' THEN a.error ELSE coalesce(x.last_error, a.error) END
                      WHEN x.error_changed THEN coalesce(x.last_error, a.error)
                      ELSE a.error END,
         provider_request_id = coalesce(x.provider_request_id, a.provider_request_id),
         provider_reference = CASE WHEN x.closes THEN coalesce(x.provider_reference, a.provider_reference) ELSE a.provider_reference END,
         finished_at = CASE WHEN x.closes THEN now() ELSE a.finished_at END
    FROM (SELECT n.id, n.attempts, n.status, n.last_error, n.provider_request_id, n.provider_reference,
                 n.status IN ('paid', 'failed', 'cancelled') AND n.status IS DISTINCT FROM o.status AS closes,
                 n.last_error IS DISTINCT FROM o.last_error AS error_changed,
                 n.provider_request_id IS DISTINCT FROM o.provider_request_id AS request_changed
            FROM changed_payouts n JOIN previous_payouts o ON o.id = n.id
           WHERE n.attempts > 0) x
   WHERE (x.closes OR x.error_changed OR x.request_changed)
     AND a.payout_id = x.id AND a.attempt = x.attempts AND a.finished_at IS NULL;
  RETURN NULL;
END
$$;

CREATE TRIGGER payouts_record_attempts AFTER UPDATE ON "payouts"
  REFERENCING OLD TABLE AS previous_payouts NEW TABLE AS changed_payouts
  FOR EACH STATEMENT EXECUTE FUNCTION payouts_record_attempts();
