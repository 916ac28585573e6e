-- Hand-written: ledger_post_transaction checks what the postings statement trigger would check
-- about its own postings, and the trigger skips that statement. Measured with `pnpm
-- bench:ledger-cpu` (PostgreSQL backend CPU per single transfer): ~285 µs before, ~220 after.
--
-- The trigger (ledger_check_statement_balanced) looked up every posting's transaction and
-- account, summed the statement's postings per transaction and currency and counted the
-- transaction's postings in the table: ~45 µs of a transfer, plus ~10 µs to call it. For the
-- function's own insert each of those is already known: the transaction row is inserted by the
-- same statement (a new id, so it has no other postings), the accounts are the ones whose
-- balance rows it just locked (ledger_balances references (account, currency)), and the
-- postings were summed per currency before anything was written. The one check the function did
-- not make, a posting's currency against its account's, it now makes from the locked rows, with
-- the trigger's error (foreign_key_violation), raised where the insert would have failed.
--
-- The function runs with ledger.postings_checked = 'on' (its SET clause: set on entry, restored
-- on exit and on error) and the trigger fires only when that setting is not 'on'. Every other
-- insert, direct SQL included, is checked as before, also in the same transaction after a call.
-- Setting it by hand turns the check off for one's own statements, as disabling the trigger
-- would; nothing in the code sets it except this function.
--
-- Also cheaper (same results): the sum per currency is checked before the accounts are locked,
-- by a loop over the amounts when there is one currency (a query only for several); the locking
-- read no longer counts distinct codes (a missing account or balance row leaves a code's id out
-- of ids or l_ids); the balance update computes each row's new values from the arrays instead of
-- joining to an unnest (its generic plan built a hash table for two rows): ~15 µs less.

DROP TRIGGER ledger_postings_balanced ON "ledger_postings";
CREATE TRIGGER ledger_postings_balanced AFTER INSERT ON "ledger_postings"
  REFERENCING NEW TABLE AS new_postings FOR EACH STATEMENT
  WHEN (current_setting('ledger.postings_checked', true) IS DISTINCT FROM 'on')
  EXECUTE FUNCTION ledger_check_statement_balanced();

CREATE OR REPLACE FUNCTION ledger_post_transaction(
  p_idempotency_key text, p_kind text, p_metadata jsonb, p_contract_id text, p_request_hash text,
  p_codes text[], p_amounts bigint[], p_currencies text[],
  p_owner_types text[], p_owner_ids text[], p_purposes text[], p_allow_negative boolean[]
) RETURNS TABLE (
  transaction_id bigint, replayed boolean, created_at timestamptz,
  posting_ids bigint[], account_ids bigint[], balances_after bigint[]
) LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
SET ledger.postings_checked = 'on'
AS $$
DECLARE
  n int := coalesce(array_length(p_codes, 1), 0);
  existing record;
  -- The locked balance rows, in account-id order.
  l_ids bigint[];
  l_posted bigint[];
  l_held bigint[];
  l_version bigint[];
  l_allow_negative boolean[];
  l_currencies bpchar[];
  -- Per posting, in request order.
  ids bigint[];
  after bigint[];
  versions bigint[];
  -- Per locked account.
  new_posted bigint[];
  new_version bigint[];
  delta bigint[];
  j int;
  total numeric := 0;
  several_currencies boolean := false;
  unbalanced record;
  short int;
  other_currency int;
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
  FOR i IN 1 .. n LOOP
    total := total + p_amounts[i];
    several_currencies := several_currencies OR p_currencies[i] IS DISTINCT FROM p_currencies[1];
  END LOOP;
  IF several_currencies OR total <> 0 THEN
    SELECT u.currency, sum(u.amount) AS total INTO unbalanced
    FROM unnest(p_currencies, p_amounts) AS u(currency, amount)
    GROUP BY u.currency HAVING sum(u.amount) <> 0 LIMIT 1;
    IF FOUND THEN
      RAISE EXCEPTION 'postings do not balance: % postings sum to %', unbalanced.currency,
        unbalanced.total USING ERRCODE = 'LG002';
    END IF;
  END IF;

  FOR attempt IN 1 .. 2 LOOP
    -- Balance rows in account-id order, as every transfer takes them (no deadlocks), read as
    -- locked. LIMIT 1 and = ANY keep each lookup an index probe in the generic plan.
    SELECT r.ids, k.ids, k.posted, k.held, k.version, k.allow_negative, k.currencies
    INTO ids, l_ids, l_posted, l_held, l_version, l_allow_negative, l_currencies
    FROM (SELECT array_agg(a.id ORDER BY c.ord) AS ids
          FROM unnest(p_codes) WITH ORDINALITY AS c(code, ord)
          CROSS JOIN LATERAL (SELECT a.id FROM ledger_accounts a WHERE a.code = c.code LIMIT 1) a) r
    CROSS JOIN LATERAL (
          SELECT array_agg(l.account_id) AS ids, array_agg(l.posted) AS posted, array_agg(l.held) AS held,
                 array_agg(l.version) AS version, array_agg(l.allow_negative) AS allow_negative,
                 array_agg(l.currency) AS currencies
          FROM (SELECT b.account_id, b.posted, b.held, b.version, b.allow_negative, b.currency
                FROM ledger_balances b WHERE b.account_id = ANY(r.ids)
                ORDER BY b.account_id FOR UPDATE) l) k;
    -- A code without an account is missing from ids, an account without a balance row from
    -- l_ids.
    EXIT WHEN array_length(ids, 1) = n AND ids <@ l_ids;
    IF attempt = 2 THEN
      RAISE EXCEPTION 'ledger accounts % could not be created', p_codes USING ERRCODE = 'LG006';
    END IF;
    PERFORM ledger_ensure_accounts(p_codes, p_owner_types, p_owner_ids, p_purposes, p_currencies,
                                   p_allow_negative);
  END LOOP;

  -- Running balances and versions in request order; a posting in another currency than its
  -- account's; the first account (by id) the request would overdraw.
  new_posted := l_posted;
  new_version := l_version;
  delta := array_fill(0::bigint, ARRAY[array_length(l_ids, 1)]);
  after := array_fill(NULL::bigint, ARRAY[n]);
  versions := after;
  FOR i IN 1 .. n LOOP
    j := array_position(l_ids, ids[i]);
    IF l_currencies[j] IS DISTINCT FROM p_currencies[i]::bpchar AND other_currency IS NULL THEN
      other_currency := i;
    END IF;
    new_posted[j] := new_posted[j] + p_amounts[i];
    new_version[j] := new_version[j] + 1;
    delta[j] := delta[j] + p_amounts[i];
    after[i] := new_posted[j];
    versions[i] := new_version[j];
  END LOOP;
  FOR m IN 1 .. array_length(l_ids, 1) LOOP
    IF delta[m] < 0 AND NOT l_allow_negative[m] AND l_posted[m] - l_held[m] + delta[m] < 0 THEN
      short := m;
      EXIT;
    END IF;
  END LOOP;

  -- Claims the key and, when it was free, funds suffice and currencies match, writes postings
  -- and balances.
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
    WHERE short IS NULL AND other_currency IS NULL
    ORDER BY u.ord
    RETURNING ledger_postings.id
  ), updated AS (
    UPDATE ledger_balances b
    SET posted = new_posted[array_position(l_ids, b.account_id)],
        version = new_version[array_position(l_ids, b.account_id)], updated_at = posted_at
    WHERE short IS NULL AND other_currency IS NULL AND b.account_id = ANY(l_ids)
      AND EXISTS (SELECT FROM claimed)
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
    RAISE EXCEPTION 'insufficient funds in %: available %, needed %', p_codes[array_position(ids, l_ids[short])],
      l_posted[short] - l_held[short], -delta[short] USING ERRCODE = 'LG003',
      DETAIL = json_build_object('account', p_codes[array_position(ids, l_ids[short])],
                                 'available', (l_posted[short] - l_held[short])::text,
                                 'required', (-delta[short])::text)::text;
  END IF;
  IF other_currency IS NOT NULL THEN
    RAISE EXCEPTION 'ledger posting in % names account %, which does not exist in that currency',
      p_currencies[other_currency], ids[other_currency] USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN QUERY SELECT tx_id, false, tx_created, new_ids, ids, after;
END $$;
