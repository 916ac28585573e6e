-- Hand-written: ledger_post_transaction with less executor work per call. Measured with a
-- PL/pgSQL loop of 2,000 transfers (one commit each): the backend spent ~460 µs per transfer,
-- a quarter of it starting the executor for the function's two big generic plans (window
-- aggregates, ordered aggregates, lateral joins) before they touched a row. The running
-- balances, versions and the funds check are a few array operations once the balance rows are
-- locked, so they are now computed in PL/pgSQL from the locked rows, and the writes (claim the
-- key, postings, balances) are one statement with small plans: ~25 µs less per transfer.
-- Same results, errors and lock order as before: balance rows locked in account-id order, a
-- replay answered before the funds check, an overdraft refused after the key was claimed (the
-- error rolls the claim back).
CREATE OR REPLACE FUNCTION ledger_post_transaction(
  p_idempotency_key text, p_kind text, p_metadata jsonb, p_contract_id text, p_request_hash text,
  p_codes text[], p_amounts bigint[], p_currencies text[],
  p_owner_types text[], p_owner_ids text[], p_purposes text[], p_allow_negative boolean[]
) RETURNS TABLE (
  transaction_id bigint, replayed boolean, created_at timestamptz,
  posting_ids bigint[], account_ids bigint[], balances_after bigint[]
) LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan AS $$
DECLARE
  n int := coalesce(array_length(p_codes, 1), 0);
  locked record;
  existing record;
  -- Per posting, in request order.
  ids bigint[];
  after bigint[];
  versions bigint[];
  -- Per locked account, in account-id order (locked.ids).
  new_posted bigint[];
  new_version bigint[];
  delta bigint[];
  j int;
  short int;
  tx_id bigint;
  tx_created timestamptz;
  posted_at timestamptz;
  new_ids bigint[];
BEGIN
  IF n < 2 OR array_length(p_amounts, 1) IS DISTINCT FROM n
     OR array_length(p_currencies, 1) IS DISTINCT FROM n THEN
    RAISE EXCEPTION 'a ledger transaction needs at least two postings' USING ERRCODE = 'LG007';
  END IF;
  IF array_position(p_amounts, 0::bigint) IS NOT NULL THEN
    RAISE EXCEPTION 'posting amounts must not be zero' USING ERRCODE = 'LG007';
  END IF;

  FOR attempt IN 1 .. 2 LOOP
    -- Balance rows in account-id order, as every transfer takes them (no deadlocks), read as
    -- locked. LIMIT 1 and = ANY keep each lookup an index probe in the generic plan.
    SELECT r.ids AS posting_accounts, k.ids, k.posted, k.held, k.version, k.allow_negative, k.wanted,
           ub.currency AS unbalanced_currency, ub.total AS unbalanced_total
    INTO locked
    FROM (SELECT array_agg(a.id ORDER BY c.ord) AS ids
          FROM unnest(p_codes) WITH ORDINALITY AS c(code, ord)
          CROSS JOIN LATERAL (SELECT a.id FROM ledger_accounts a WHERE a.code = c.code LIMIT 1) a) r
    CROSS JOIN LATERAL (
          SELECT array_agg(l.account_id) AS ids, array_agg(l.posted) AS posted, array_agg(l.held) AS held,
                 array_agg(l.version) AS version, array_agg(l.allow_negative) AS allow_negative,
                 (SELECT count(DISTINCT c) FROM unnest(p_codes) c) AS wanted
          FROM (SELECT b.account_id, b.posted, b.held, b.version, b.allow_negative
                FROM ledger_balances b WHERE b.account_id = ANY(r.ids)
                ORDER BY b.account_id FOR UPDATE) l) k
    LEFT JOIN (SELECT u.currency, sum(u.amount) AS total
               FROM unnest(p_currencies, p_amounts) AS u(currency, amount)
               GROUP BY u.currency HAVING sum(u.amount) <> 0 LIMIT 1) ub ON true;
    IF locked.unbalanced_currency IS NOT NULL THEN
      RAISE EXCEPTION 'postings do not balance: % postings sum to %', locked.unbalanced_currency,
        locked.unbalanced_total USING ERRCODE = 'LG002';
    END IF;
    EXIT WHEN coalesce(array_length(locked.ids, 1), 0) = locked.wanted;
    IF attempt = 2 THEN
      RAISE EXCEPTION 'ledger accounts % could not be created', p_codes USING ERRCODE = 'LG006';
    END IF;
    PERFORM ledger_ensure_accounts(p_codes, p_owner_types, p_owner_ids, p_purposes, p_currencies,
                                   p_allow_negative);
  END LOOP;

  -- Running balances and versions in request order; the first account (by id) the request
  -- would overdraw.
  ids := locked.posting_accounts;
  new_posted := locked.posted;
  new_version := locked.version;
  delta := array_fill(0::bigint, ARRAY[array_length(locked.ids, 1)]);
  after := array_fill(NULL::bigint, ARRAY[n]);
  versions := after;
  FOR i IN 1 .. n LOOP
    j := array_position(locked.ids, ids[i]);
    new_posted[j] := new_posted[j] + p_amounts[i];
    new_version[j] := new_version[j] + 1;
    delta[j] := delta[j] + p_amounts[i];
    after[i] := new_posted[j];
    versions[i] := new_version[j];
  END LOOP;
  FOR m IN 1 .. array_length(locked.ids, 1) LOOP
    IF delta[m] < 0 AND NOT locked.allow_negative[m] AND locked.posted[m] - locked.held[m] + delta[m] < 0 THEN
      short := m;
      EXIT;
    END IF;
  END LOOP;

  -- Claims the key and, when it was free and funds suffice, writes postings and balances.
  posted_at := clock_timestamp();
  WITH claimed AS (
    INSERT INTO ledger_transactions (idempotency_key, kind, metadata, contract_id, request_hash)
    VALUES (p_idempotency_key, p_kind, coalesce(p_metadata, '{}'::jsonb), p_contract_id, p_request_hash)
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING ledger_transactions.id, ledger_transactions.created_at
  ), inserted AS (
    INSERT INTO ledger_postings (transaction_id, account_id, amount, currency, balance_after,
                                 account_version, created_at)
    SELECT c.id, u.account_id, u.amount, u.currency, u.balance_after, u.account_version, posted_at
    FROM claimed c
    CROSS JOIN unnest(ids, p_amounts, p_currencies, after, versions)
         WITH ORDINALITY AS u(account_id, amount, currency, balance_after, account_version, ord)
    WHERE short IS NULL
    ORDER BY u.ord
    RETURNING ledger_postings.id
  ), updated AS (
    UPDATE ledger_balances b SET posted = u.posted, version = u.version, updated_at = posted_at
    FROM claimed c CROSS JOIN unnest(locked.ids, new_posted, new_version) AS u(account_id, posted, version)
    WHERE short IS NULL AND b.account_id = ANY(locked.ids) AND b.account_id = u.account_id
  )
  SELECT c.id, c.created_at, (SELECT array_agg(i.id ORDER BY i.id) FROM inserted i)
  INTO tx_id, tx_created, new_ids
  FROM claimed c;

  IF tx_id IS NULL THEN
    -- A replay is answered before the funds check: the first attempt may have spent them.
    SELECT t.id, t.request_hash, t.created_at INTO existing
    FROM ledger_transactions t WHERE t.idempotency_key = p_idempotency_key;
    IF existing.request_hash IS DISTINCT FROM p_request_hash THEN
      RAISE EXCEPTION 'idempotency key % was already used for a different ledger transaction',
        p_idempotency_key USING ERRCODE = 'LG004',
        DETAIL = json_build_object('transactionId', existing.id::text)::text;
    END IF;
    RETURN QUERY
      SELECT existing.id, true, existing.created_at,
             array_agg(p.id ORDER BY p.id), array_agg(p.account_id ORDER BY p.id),
             array_agg(p.balance_after ORDER BY p.id)
      FROM ledger_postings p WHERE p.transaction_id = existing.id;
    RETURN;
  END IF;
  IF short IS NOT NULL THEN
    -- Raising also rolls back the key claimed above.
    RAISE EXCEPTION 'insufficient funds in %: available %, needed %', p_codes[array_position(ids, locked.ids[short])],
      locked.posted[short] - locked.held[short], -delta[short] USING ERRCODE = 'LG003',
      DETAIL = json_build_object('account', p_codes[array_position(ids, locked.ids[short])],
                                 'available', (locked.posted[short] - locked.held[short])::text,
                                 'required', (-delta[short])::text)::text;
  END IF;
  RETURN QUERY SELECT tx_id, false, tx_created, new_ids, ids, after;
END $$;
