-- Hand-written: the posting functions' plans. PL/pgSQL caches generic plans, which estimate
-- ten rows for every unnest() and so hash-joined whole ledger_accounts / ledger_balances scans
-- into each transfer: the cost grew with the number of accounts. LATERAL subqueries and
-- = ANY() make every lookup an index probe whatever the plan.

CREATE OR REPLACE FUNCTION ledger_resolve_accounts(
  p_codes text[], p_owner_types text[], p_owner_ids text[], p_purposes text[],
  p_currencies text[], p_allow_negative boolean[]
) RETURNS bigint[] LANGUAGE plpgsql AS $$
DECLARE
  ids bigint[];
BEGIN
  SELECT array_agg(a.id ORDER BY u.ord) INTO ids
  FROM unnest(p_codes) WITH ORDINALITY AS u(code, ord)
  LEFT JOIN LATERAL (SELECT a.id FROM ledger_accounts a WHERE a.code = u.code) a ON true;
  IF array_position(ids, NULL) IS NOT NULL THEN
    PERFORM ledger_ensure_accounts(p_codes, p_owner_types, p_owner_ids, p_purposes, p_currencies,
                                   p_allow_negative);
    SELECT array_agg(a.id ORDER BY u.ord) INTO ids
    FROM unnest(p_codes) WITH ORDINALITY AS u(code, ord)
    CROSS JOIN LATERAL (SELECT a.id FROM ledger_accounts a WHERE a.code = u.code) a;
  END IF;
  RETURN ids;
END $$;

CREATE OR REPLACE FUNCTION ledger_ensure_accounts(
  p_codes text[], p_owner_types text[], p_owner_ids text[], p_purposes text[],
  p_currencies text[], p_allow_negative boolean[]
) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  WITH wanted AS (
    SELECT DISTINCT ON (u.code) u.*
    FROM unnest(p_codes, p_owner_types, p_owner_ids, p_purposes, p_currencies, p_allow_negative)
      AS u(code, owner_type, owner_id, purpose, currency, allow_negative)
    LEFT JOIN LATERAL (SELECT a.id FROM ledger_accounts a WHERE a.code = u.code) a ON true
    WHERE a.id IS NULL
    ORDER BY u.code
  ), created AS (
    INSERT INTO ledger_accounts (code, owner_type, owner_id, purpose, currency, allow_negative)
    SELECT code, owner_type, owner_id, purpose, currency, allow_negative FROM wanted ORDER BY code
    ON CONFLICT DO NOTHING
    RETURNING id, currency, allow_negative
  )
  INSERT INTO ledger_balances (account_id, currency, allow_negative)
  SELECT id, currency, allow_negative FROM created;
END $$;

CREATE OR REPLACE FUNCTION ledger_post_resolved(
  p_idempotency_key text, p_kind text, p_metadata jsonb, p_contract_id text, p_request_hash text,
  p_ids bigint[], p_amounts bigint[], p_currencies text[], p_locked boolean
) RETURNS ledger_post_result LANGUAGE plpgsql AS $$
DECLARE
  result ledger_post_result;
  existing record;
  short record;
  unbalanced record;
  tx_id bigint;
  tx_created timestamptz;
  posted_at timestamptz;
BEGIN
  SELECT u.currency, sum(u.amount) AS total INTO unbalanced
  FROM unnest(p_currencies, p_amounts) AS u(currency, amount)
  GROUP BY u.currency HAVING sum(u.amount) <> 0 LIMIT 1;
  IF FOUND THEN
    result.status := 'unbalanced';
    result.detail := jsonb_build_object('currency', unbalanced.currency, 'sum', unbalanced.total::text);
    RETURN result;
  END IF;

  IF NOT p_locked THEN
    PERFORM 1 FROM ledger_balances b WHERE b.account_id = ANY(p_ids) ORDER BY b.account_id FOR UPDATE;
  END IF;

  -- A replay is answered before the funds check: the first attempt may have spent them.
  SELECT t.id, t.request_hash, t.created_at INTO existing
  FROM ledger_transactions t WHERE t.idempotency_key = p_idempotency_key;
  IF NOT FOUND THEN
    SELECT a.code, b.posted - b.held AS available, -d.delta AS debit INTO short
    FROM (SELECT u.account_id, sum(u.amount) AS delta
          FROM unnest(p_ids, p_amounts) AS u(account_id, amount) GROUP BY u.account_id) d
    CROSS JOIN LATERAL (SELECT b.posted, b.held, b.allow_negative FROM ledger_balances b
                        WHERE b.account_id = d.account_id) b
    CROSS JOIN LATERAL (SELECT a.code FROM ledger_accounts a WHERE a.id = d.account_id) a
    WHERE d.delta < 0 AND NOT b.allow_negative AND b.posted - b.held + d.delta < 0
    LIMIT 1;
    IF FOUND THEN
      result.status := 'insufficient_funds';
      result.detail := jsonb_build_object('account', short.code, 'available', short.available::text,
                                          'required', short.debit::text);
      RETURN result;
    END IF;

    INSERT INTO ledger_transactions (idempotency_key, kind, metadata, contract_id, request_hash)
    VALUES (p_idempotency_key, p_kind, coalesce(p_metadata, '{}'::jsonb), p_contract_id, p_request_hash)
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING id, ledger_transactions.created_at INTO tx_id, tx_created;
    IF tx_id IS NULL THEN
      -- Another session committed the same key meanwhile.
      SELECT t.id, t.request_hash, t.created_at INTO existing
      FROM ledger_transactions t WHERE t.idempotency_key = p_idempotency_key;
    END IF;
  END IF;

  IF tx_id IS NULL THEN
    IF existing.request_hash IS DISTINCT FROM p_request_hash THEN
      result.status := 'idempotency_key_reused';
      result.transaction_id := existing.id;
      result.detail := jsonb_build_object('transactionId', existing.id::text);
      RETURN result;
    END IF;
    SELECT 'replayed', existing.id, existing.created_at,
           array_agg(p.id ORDER BY p.id), array_agg(p.account_id ORDER BY p.id),
           array_agg(p.balance_after ORDER BY p.id), NULL::jsonb
    INTO result
    FROM ledger_postings p WHERE p.transaction_id = existing.id;
    RETURN result;
  END IF;

  posted_at := clock_timestamp();
  WITH moves AS (
    SELECT u.ord, u.account_id, u.amount, u.currency,
           b.posted + sum(u.amount) OVER w AS balance_after,
           b.version + row_number() OVER w AS account_version
    FROM unnest(p_ids, p_amounts, p_currencies) WITH ORDINALITY AS u(account_id, amount, currency, ord)
    CROSS JOIN LATERAL (SELECT b.posted, b.version FROM ledger_balances b
                        WHERE b.account_id = u.account_id) b
    WINDOW w AS (PARTITION BY u.account_id ORDER BY u.ord)
  ), inserted AS (
    INSERT INTO ledger_postings (transaction_id, account_id, amount, currency, balance_after,
                                 account_version, created_at)
    SELECT tx_id, m.account_id, m.amount, m.currency, m.balance_after, m.account_version, posted_at
    FROM moves m ORDER BY m.ord
    RETURNING ledger_postings.id, ledger_postings.account_id, ledger_postings.balance_after
  ), updated AS (
    UPDATE ledger_balances b
    SET posted = d.balance_after, version = d.account_version, updated_at = posted_at
    FROM (SELECT DISTINCT ON (m.account_id) m.account_id, m.balance_after, m.account_version
          FROM moves m ORDER BY m.account_id, m.ord DESC) d
    WHERE b.account_id = ANY(p_ids) AND b.account_id = d.account_id
  )
  SELECT 'posted', tx_id, tx_created,
         array_agg(i.id ORDER BY i.id), array_agg(i.account_id ORDER BY i.id),
         array_agg(i.balance_after ORDER BY i.id), NULL::jsonb
  INTO result
  FROM inserted i;
  RETURN result;
END $$;

