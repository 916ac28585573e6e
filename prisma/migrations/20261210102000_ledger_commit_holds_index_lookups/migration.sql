-- ledger_commit_holds (payout settlement) reaches the balances and holds it changes through
-- their primary keys. Its statement joined them to the batch's legs by key only, so a plan made
-- once ledger_holds and ledger_balances held a few thousand rows was a hash join over sequential
-- scans of both, and PL/pgSQL keeps it: every settlement batch then read every hold ever made and
-- every balance (auto_explain, 2,000 holds and 1,001 balances: ~0.5 ms of a 16-payout batch,
-- growing with every payout). `= ANY` of the batch's own ids beside each join makes that plan an
-- index lookup (Index Scan using ledger_holds_pkey / ledger_balances_pkey). A plan made while the
-- tables hold a page or two may still scan them until the first ANALYZE replaces it, as any
-- cached plan on a fresh database (README, Scale).
CREATE OR REPLACE FUNCTION public.ledger_commit_holds(p_hold_ids bigint[], p_keys text[], p_kind text, p_metadata jsonb[], p_contract_ids text[], p_hashes text[], p_to_codes text[], p_to_owner_types text[], p_to_owner_ids text[], p_to_purposes text[], p_to_allow_negative boolean[])
 RETURNS TABLE(item integer, transaction_id bigint, balances_after bigint[])
 LANGUAGE plpgsql
 SET "ledger.postings_checked" TO 'on'
AS $function$
DECLARE
  n int := coalesce(array_length(p_hold_ids, 1), 0);
  found_count int;
  from_ids bigint[];
  amounts bigint[];
  currencies text[];
  bad record;
  locked_ids bigint[];
  locked_currencies text[];
  to_ids bigint[];
  posted_at timestamptz;
BEGIN
  IF n = 0 THEN
    RETURN;
  END IF;
  IF array_length(p_keys, 1) IS DISTINCT FROM n OR array_length(p_to_codes, 1) IS DISTINCT FROM n
     OR (SELECT count(DISTINCT u.id) FROM unnest(p_hold_ids) AS u(id)) <> n THEN
    RAISE EXCEPTION 'ledger_commit_holds needs one distinct hold per item' USING ERRCODE = 'LG007';
  END IF;

  PERFORM 1 FROM ledger_holds h WHERE h.id = ANY(p_hold_ids) ORDER BY h.id FOR UPDATE;
  SELECT count(h.id), array_agg(h.account_id ORDER BY u.ord), array_agg(h.amount ORDER BY u.ord),
         array_agg(h.currency::text ORDER BY u.ord)
  INTO found_count, from_ids, amounts, currencies
  FROM unnest(p_hold_ids) WITH ORDINALITY AS u(id, ord)
  JOIN ledger_holds h ON h.id = u.id;
  IF found_count <> n THEN
    RAISE EXCEPTION 'a hold of the batch does not exist' USING ERRCODE = 'LG006';
  END IF;
  SELECT h.id, CASE WHEN h.status = 'pending' THEN 'expired' ELSE h.status END AS status INTO bad
  FROM ledger_holds h
  WHERE h.id = ANY(p_hold_ids)
    AND (h.status <> 'pending' OR (h.expires_at IS NOT NULL AND h.expires_at <= clock_timestamp()))
  LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'hold % is %', bad.id, bad.status USING ERRCODE = 'LG005',
      DETAIL = json_build_object('holdId', bad.id::text, 'status', bad.status)::text;
  END IF;

  to_ids := ledger_resolve_accounts(p_to_codes, p_to_owner_types, p_to_owner_ids, p_to_purposes,
                                    currencies, p_to_allow_negative);
  SELECT array_agg(l.account_id), array_agg(l.currency) INTO locked_ids, locked_currencies
  FROM (SELECT b.account_id, b.currency::text AS currency FROM ledger_balances b
        WHERE b.account_id = ANY(from_ids || to_ids) ORDER BY b.account_id FOR UPDATE) l;
  SELECT u.account_id, u.currency INTO bad
  FROM unnest(from_ids || to_ids, currencies || currencies) AS u(account_id, currency)
  LEFT JOIN unnest(locked_ids, locked_currencies) AS l(account_id, currency) ON l.account_id = u.account_id
  WHERE l.currency IS DISTINCT FROM u.currency
  LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'ledger posting in % names account %, which does not exist in that currency',
      bad.currency, bad.account_id USING ERRCODE = 'foreign_key_violation';
  END IF;

  posted_at := clock_timestamp();
  RETURN QUERY
  WITH items AS (
    SELECT u.ord::int AS item, u.hold_id, u.from_id, u.to_id, u.amount, u.currency, u.key,
           coalesce(u.metadata, '{}'::jsonb) || jsonb_build_object('holdId', u.hold_id::text) AS metadata,
           u.contract_id, u.hash
    FROM unnest(p_hold_ids, from_ids, to_ids, amounts, currencies, p_keys, p_metadata, p_contract_ids, p_hashes)
         WITH ORDINALITY AS u(hold_id, from_id, to_id, amount, currency, key, metadata, contract_id, hash, ord)
  ), transactions AS (
    INSERT INTO ledger_transactions (idempotency_key, kind, metadata, contract_id, request_hash)
    SELECT i.key, p_kind, i.metadata, i.contract_id, i.hash FROM items i ORDER BY i.item
    RETURNING ledger_transactions.id, ledger_transactions.idempotency_key
  ), legs AS (
    SELECT i.item, t.id AS tx_id, leg.ord, leg.account_id, leg.amount, i.currency
    FROM items i
    JOIN transactions t ON t.idempotency_key = i.key
    CROSS JOIN LATERAL (VALUES (1, i.from_id, -i.amount), (2, i.to_id, i.amount)) AS leg(ord, account_id, amount)
  ), moves AS (
    SELECT l.*, (b.posted + sum(l.amount) OVER w)::bigint AS balance_after,
           b.version + row_number() OVER w AS account_version
    FROM legs l JOIN ledger_balances b ON b.account_id = l.account_id AND b.account_id = ANY(locked_ids)
    WINDOW w AS (PARTITION BY l.account_id ORDER BY l.item, l.ord)
  ), inserted AS (
    INSERT INTO ledger_postings (transaction_id, account_id, amount, currency, balance_after,
                                 account_version, created_at)
    SELECT m.tx_id, m.account_id, m.amount, m.currency, m.balance_after, m.account_version, posted_at
    FROM moves m ORDER BY m.item, m.ord
  ), balances AS (
    -- Every held account has a leg here: its reservation is released in the same row update.
    UPDATE ledger_balances b
    SET posted = d.balance_after, version = d.account_version, held = b.held - coalesce(r.total, 0),
        updated_at = posted_at
    FROM (SELECT DISTINCT ON (m.account_id) m.account_id, m.balance_after, m.account_version
          FROM moves m ORDER BY m.account_id, m.item DESC, m.ord DESC) d
    LEFT JOIN (SELECT u.account_id, sum(u.amount) AS total FROM unnest(from_ids, amounts) AS u(account_id, amount)
               GROUP BY u.account_id) r ON r.account_id = d.account_id
    WHERE b.account_id = d.account_id AND b.account_id = ANY(locked_ids)
  ), committed AS (
    UPDATE ledger_holds h SET status = 'committed', resolved_at = posted_at, commit_transaction_id = i.tx_id
    FROM (SELECT DISTINCT l.item, l.tx_id FROM legs l) i
    WHERE h.id = p_hold_ids[i.item] AND h.id = ANY(p_hold_ids)
  )
  SELECT m.item, m.tx_id, array_agg(m.balance_after ORDER BY m.ord)
  FROM moves m
  GROUP BY m.item, m.tx_id
  ORDER BY m.item;
END $function$;
