-- DropForeignKey
ALTER TABLE "ledger_postings" DROP CONSTRAINT "ledger_postings_transaction_id_fkey";

-- DropForeignKey
ALTER TABLE "ledger_postings" DROP CONSTRAINT "ledger_postings_account_id_currency_fkey";

-- Hand-written: a posting's transaction and (account, currency) are checked by the statement
-- trigger that already checks the postings' balance, instead of by two foreign keys. The keys
-- ran four checks per transfer, each a separate query that also locked the referenced row (FOR
-- KEY SHARE: a WAL record and a dirtied page, on the hot accounts' rows by every transfer), to
-- guard against a concurrent delete that the ledger refuses anyway: transactions and accounts
-- are append-only (no UPDATE, DELETE or TRUNCATE; accounts gain the TRUNCATE guard below, which
-- the foreign key gave them). So checking that the rows exist when the postings are written is
-- the same guarantee, for one query per statement. A missing transaction, or an account of
-- another currency, is refused with the foreign keys' SQLSTATE (23503).
CREATE TRIGGER ledger_accounts_no_truncate BEFORE TRUNCATE ON "ledger_accounts"
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();

CREATE OR REPLACE FUNCTION ledger_check_statement_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  orphan record;
BEGIN
  -- Scalar subqueries: an index probe per posting whatever the statement's size (a cached plan
  -- made for a big statement must not hash whole tables for a transfer's two postings).
  SELECT n.transaction_id, n.account_id, n.currency,
         (SELECT t.id FROM ledger_transactions t WHERE t.id = n.transaction_id) IS NULL AS no_transaction
  INTO orphan
  FROM new_postings n
  WHERE (SELECT t.id FROM ledger_transactions t WHERE t.id = n.transaction_id) IS NULL
     OR (SELECT a.currency FROM ledger_accounts a WHERE a.id = n.account_id) IS DISTINCT FROM n.currency
  LIMIT 1;
  IF FOUND THEN
    IF orphan.no_transaction THEN
      RAISE EXCEPTION 'ledger posting names transaction %, which does not exist', orphan.transaction_id
        USING ERRCODE = 'foreign_key_violation';
    END IF;
    RAISE EXCEPTION 'ledger posting in % names account %, which does not exist in that currency',
      orphan.currency, orphan.account_id USING ERRCODE = 'foreign_key_violation';
  END IF;

  INSERT INTO ledger_balance_checks (transaction_id)
  SELECT s.transaction_id
  FROM (SELECT c.transaction_id, sum(c.postings) AS postings, bool_and(c.total = 0) AS balanced
        FROM (SELECT n.transaction_id, n.currency, count(*) AS postings, sum(n.amount) AS total
              FROM new_postings n GROUP BY n.transaction_id, n.currency) c
        GROUP BY c.transaction_id) s
  WHERE NOT s.balanced
     OR s.postings <> (SELECT count(*) FROM ledger_postings p WHERE p.transaction_id = s.transaction_id)
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
