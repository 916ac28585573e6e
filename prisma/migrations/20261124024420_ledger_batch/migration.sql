-- CreateIndex
CREATE INDEX "ledger_postings_account_id_transaction_id_idx" ON "ledger_postings"("account_id", "transaction_id");

-- Hand-written: batch posting. One posting routine reports failures as a status instead of
-- raising, so a batch can post many transactions in one commit with a result per item and no
-- subtransactions. ledger_post_transaction keeps its signature and raises as before.

CREATE TYPE ledger_post_result AS (
  status text,            -- posted, replayed, insufficient_funds, idempotency_key_reused, unbalanced
  transaction_id bigint,
  created_at timestamptz,
  posting_ids bigint[],
  account_ids bigint[],
  balances_after bigint[],
  detail jsonb
);

-- Posts one transaction whose accounts are resolved (p_ids, aligned with the amounts). With
-- p_locked the caller already holds the balance rows (a batch locks all of them up front, in id
-- order). Nothing is written unless the result is posted.
CREATE FUNCTION ledger_post_resolved(
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
    JOIN ledger_balances b ON b.account_id = d.account_id
    JOIN ledger_accounts a ON a.id = d.account_id
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
    JOIN ledger_balances b ON b.account_id = u.account_id
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
    WHERE b.account_id = d.account_id
  )
  SELECT 'posted', tx_id, tx_created,
         array_agg(i.id ORDER BY i.id), array_agg(i.account_id ORDER BY i.id),
         array_agg(i.balance_after ORDER BY i.id), NULL::jsonb
  INTO result
  FROM inserted i;
  RETURN result;
END $$;

-- Raises the SQLSTATE the domain maps for a failed result.
CREATE FUNCTION ledger_raise_for(p_result ledger_post_result, p_idempotency_key text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  CASE p_result.status
    WHEN 'insufficient_funds' THEN
      RAISE EXCEPTION 'insufficient funds in %: available %, needed %', p_result.detail->>'account',
        p_result.detail->>'available', p_result.detail->>'required'
        USING ERRCODE = 'LG003', DETAIL = p_result.detail::text;
    WHEN 'idempotency_key_reused' THEN
      RAISE EXCEPTION 'idempotency key % was already used for a different ledger transaction',
        p_idempotency_key USING ERRCODE = 'LG004', DETAIL = p_result.detail::text;
    WHEN 'unbalanced' THEN
      RAISE EXCEPTION 'postings do not balance: % postings sum to %', p_result.detail->>'currency',
        p_result.detail->>'sum' USING ERRCODE = 'LG002';
    ELSE
      RETURN;
  END CASE;
END $$;

CREATE OR REPLACE FUNCTION ledger_post_transaction(
  p_idempotency_key text, p_kind text, p_metadata jsonb, p_contract_id text, p_request_hash text,
  p_codes text[], p_amounts bigint[], p_currencies text[],
  p_owner_types text[], p_owner_ids text[], p_purposes text[], p_allow_negative boolean[]
) RETURNS TABLE (
  transaction_id bigint, replayed boolean, created_at timestamptz,
  posting_ids bigint[], account_ids bigint[], balances_after bigint[]
) LANGUAGE plpgsql AS $$
DECLARE
  n int := coalesce(array_length(p_codes, 1), 0);
  result ledger_post_result;
BEGIN
  IF n < 2 OR array_length(p_amounts, 1) IS DISTINCT FROM n
     OR array_length(p_currencies, 1) IS DISTINCT FROM n THEN
    RAISE EXCEPTION 'a ledger transaction needs at least two postings' USING ERRCODE = 'LG007';
  END IF;
  IF array_position(p_amounts, 0::bigint) IS NOT NULL THEN
    RAISE EXCEPTION 'posting amounts must not be zero' USING ERRCODE = 'LG007';
  END IF;
  result := ledger_post_resolved(
    p_idempotency_key, p_kind, p_metadata, p_contract_id, p_request_hash,
    ledger_resolve_accounts(p_codes, p_owner_types, p_owner_ids, p_purposes, p_currencies, p_allow_negative),
    p_amounts, p_currencies, false);
  PERFORM ledger_raise_for(result, p_idempotency_key);
  RETURN QUERY SELECT result.transaction_id, result.status = 'replayed', result.created_at,
                      result.posting_ids, result.account_ids, result.balances_after;
END $$;

-- Many transactions, one commit (TigerBeetle-style batching): accounts are resolved and every
-- balance row the batch touches is locked once, in id order, then items post one by one, each
-- with its own result. Item i owns postings p_offsets[i] .. p_offsets[i+1]-1 of the flat arrays.
CREATE FUNCTION ledger_post_batch(
  p_keys text[], p_kinds text[], p_metadata jsonb[], p_contract_ids text[], p_hashes text[],
  p_offsets int[],
  p_codes text[], p_amounts bigint[], p_currencies text[],
  p_owner_types text[], p_owner_ids text[], p_purposes text[], p_allow_negative boolean[]
) RETURNS TABLE (
  item int, status text, transaction_id bigint, created_at timestamptz,
  posting_ids bigint[], account_ids bigint[], balances_after bigint[], detail jsonb
) LANGUAGE plpgsql AS $$
DECLARE
  items int := coalesce(array_length(p_keys, 1), 0);
  ids bigint[];
  result ledger_post_result;
  first int;
  last int;
BEGIN
  IF items = 0 THEN
    RETURN;
  END IF;
  IF array_length(p_offsets, 1) IS DISTINCT FROM items + 1
     OR p_offsets[items + 1] - 1 IS DISTINCT FROM coalesce(array_length(p_codes, 1), 0) THEN
    RAISE EXCEPTION 'batch offsets do not match the postings' USING ERRCODE = 'LG007';
  END IF;
  ids := ledger_resolve_accounts(p_codes, p_owner_types, p_owner_ids, p_purposes, p_currencies,
                                 p_allow_negative);
  PERFORM 1 FROM ledger_balances b WHERE b.account_id = ANY(ids) ORDER BY b.account_id FOR UPDATE;
  FOR i IN 1 .. items LOOP
    first := p_offsets[i];
    last := p_offsets[i + 1] - 1;
    IF last - first < 1 OR array_position(p_amounts[first:last], 0::bigint) IS NOT NULL THEN
      RAISE EXCEPTION 'batch item % needs at least two non-zero postings', i USING ERRCODE = 'LG007';
    END IF;
    result := ledger_post_resolved(
      p_keys[i], p_kinds[i], p_metadata[i], p_contract_ids[i], p_hashes[i],
      ids[first:last], p_amounts[first:last], p_currencies[first:last], true);
    item := i;
    status := result.status;
    transaction_id := result.transaction_id;
    created_at := result.created_at;
    posting_ids := result.posting_ids;
    account_ids := result.account_ids;
    balances_after := result.balances_after;
    detail := result.detail;
    RETURN NEXT;
  END LOOP;
END $$;
