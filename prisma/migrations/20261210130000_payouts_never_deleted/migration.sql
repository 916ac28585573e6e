-- A payout is the record of money leaving (or held to leave) a wallet: the ledger, the audit log
-- and its attempts name it for good. Nothing deletes one, and the database now says so, which
-- is also what keeps payout_attempts whole since its foreign key went (20261210100000). Only a
-- DELETE fires this, so creating and moving payouts cost nothing more.
CREATE FUNCTION payouts_refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'payouts are never deleted (payout %)', OLD.id;
END $$;

CREATE TRIGGER payouts_no_delete BEFORE DELETE ON payouts
  FOR EACH ROW EXECUTE FUNCTION payouts_refuse_delete();
