-- Unmatched M-Pesa payments (money in suspense: collections' own queue) also appear in the
-- reconciliation exceptions queue, so finance works every difference in one place. The payment's
-- `exception` state stays the one truth: this trigger keeps its queue row in step, in the same
-- transaction as every change of that state, whatever code makes it. Assigned or returned
-- resolves the row; reopened (a refused return) makes it persisting again. The row's own
-- assignee and comments are reconciliation's.
CREATE FUNCTION reconciliation_queue_unmatched_payment() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  settled boolean := NEW.exception IN ('assigned', 'returned');
BEGIN
  INSERT INTO reconciliation_exceptions
    (key, source, kind, status, reference, ledger_amount, statement_amount, currency, occurred_at, detail,
     resolution, resolved_by, resolved_at)
  VALUES
    ('event:mpesa-unmatched:' || NEW.id, 'mpesa', 'unmatched_payment', CASE WHEN settled THEN 'resolved' ELSE 'new' END,
     coalesce(NEW.receipt, NEW.id), NEW.amount, NEW.amount, NEW.currency, NEW.created_at,
     'M-Pesa payment ' || NEW.id || ' in suspense: ' || coalesce(NEW.exception_reason, 'no deposit matched'),
     CASE WHEN settled THEN NEW.exception END, CASE WHEN settled THEN coalesce(NEW.resolved_by, 'system:mpesa') END,
     CASE WHEN settled THEN coalesce(NEW.resolved_at, now()) END)
  ON CONFLICT (key) DO UPDATE SET
    status = CASE WHEN settled THEN 'resolved' ELSE 'persisting' END,
    resolution = EXCLUDED.resolution,
    resolution_reason = NULL,
    resolved_by = EXCLUDED.resolved_by,
    resolved_at = EXCLUDED.resolved_at,
    detail = EXCLUDED.detail,
    updated_at = now();
  RETURN NULL;
END $$;

CREATE TRIGGER mpesa_payments_queue_unmatched_insert AFTER INSERT ON mpesa_payments
  FOR EACH ROW WHEN (NEW.exception IS NOT NULL) EXECUTE FUNCTION reconciliation_queue_unmatched_payment();
CREATE TRIGGER mpesa_payments_queue_unmatched_update AFTER UPDATE OF exception ON mpesa_payments
  FOR EACH ROW WHEN (NEW.exception IS NOT NULL AND NEW.exception IS DISTINCT FROM OLD.exception)
  EXECUTE FUNCTION reconciliation_queue_unmatched_payment();

-- The payments already in suspense.
INSERT INTO reconciliation_exceptions
  (key, source, kind, status, reference, ledger_amount, statement_amount, currency, occurred_at, detail, resolution, resolved_by, resolved_at)
SELECT 'event:mpesa-unmatched:' || p.id, 'mpesa', 'unmatched_payment',
       CASE WHEN p.exception IN ('assigned', 'returned') THEN 'resolved' ELSE 'new' END,
       coalesce(p.receipt, p.id), p.amount, p.amount, p.currency, p.created_at,
       'M-Pesa payment ' || p.id || ' in suspense: ' || coalesce(p.exception_reason, 'no deposit matched'),
       CASE WHEN p.exception IN ('assigned', 'returned') THEN p.exception END,
       CASE WHEN p.exception IN ('assigned', 'returned') THEN coalesce(p.resolved_by, 'system:mpesa') END,
       CASE WHEN p.exception IN ('assigned', 'returned') THEN coalesce(p.resolved_at, now()) END
FROM mpesa_payments p WHERE p.exception IS NOT NULL
ON CONFLICT (key) DO NOTHING;
