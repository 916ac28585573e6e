-- ledger_post_batch checks what the postings statement trigger would check about its own
-- postings, and the trigger skips its inserts (ledger.postings_checked = 'on', its SET clause), as
-- ledger_post_transaction (20261124191500) and ledger_commit_holds (20261124220000) do. The
-- trigger looked up every posting's transaction and account, summed the statement's postings per
-- transaction and currency and counted each transaction's postings in the table, over a
-- transition table of the whole batch: ~70 of ~165 us per STK deposit's credit in PostgreSQL under
-- `pnpm bench:collections` (BENCH_PG_STATEMENTS=1), and every deposit confirmation and ledger batch
-- pays it.
--
-- What the batch already knows about its own postings: on the set-based path every transaction
-- is claimed by the same call (a new id with no other postings, all its postings in the one
-- insert), every account was resolved from its code (it exists) and each item sums to zero per
-- currency (checked before anything is written). The one check it did not make, a posting's
-- currency against its account's, now decides the path: a batch with such a posting goes item by
-- item, where ledger_post_resolved (only ledger_post_batch calls it, under the same setting)
-- refuses a new transaction with such a posting with the trigger's error (foreign_key_violation)
-- where its insert would have failed; a replay is answered as before. Every other insert into
-- ledger_postings is checked by the trigger as before, and `pnpm ledger:verify` audits every
-- transaction regardless.

CREATE OR REPLACE FUNCTION public.ledger_post_resolved(p_idempotency_key text, p_kind text, p_metadata jsonb, p_contract_id text, p_request_hash text, p_ids bigint[], p_amounts bigint[], p_currencies text[], p_locked boolean)
 RETURNS ledger_post_result
 LANGUAGE plpgsql
AS $function$
DECLARE
  result ledger_post_result;
  existing record;
  short record;
  unbalanced record;
  other record;
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
    -- The postings trigger's check (it skips this function's insert): each posting in its
    -- account's currency, refused with its error where the insert would have failed.
    SELECT u.ord, u.account_id, u.currency INTO other
    FROM unnest(p_ids, p_currencies) WITH ORDINALITY AS u(account_id, currency, ord)
    WHERE (SELECT b.currency FROM ledger_balances b WHERE b.account_id = u.account_id) IS DISTINCT FROM u.currency::bpchar
    LIMIT 1;
    IF FOUND THEN
      RAISE EXCEPTION 'ledger posting in % names account %, which does not exist in that currency',
        other.currency, other.account_id USING ERRCODE = 'foreign_key_violation';
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
END $function$;

CREATE OR REPLACE FUNCTION public.ledger_post_batch(p_keys text[], p_kinds text[], p_metadata jsonb[], p_contract_ids text[], p_hashes text[], p_offsets integer[], p_codes text[], p_amounts bigint[], p_currencies text[], p_owner_types text[], p_owner_ids text[], p_purposes text[], p_allow_negative boolean[])
 RETURNS TABLE(item integer, status text, transaction_id bigint, created_at timestamp with time zone, posting_ids bigint[], account_ids bigint[], balances_after bigint[], detail jsonb)
 LANGUAGE plpgsql
 SET plan_cache_mode TO 'force_generic_plan'
 SET "ledger.postings_checked" TO 'on'
AS $function$
DECLARE
  items int := coalesce(array_length(p_keys, 1), 0);
  ids bigint[];
  -- Each item's first posting, sliced once (see above).
  bounds int[];
  invalid int;
  set_based boolean;
  tx_ids bigint[];
  tx_created timestamptz[];
  posted_at timestamptz;
  result ledger_post_result;
BEGIN
  IF items = 0 THEN
    RETURN;
  END IF;
  IF array_length(p_offsets, 1) IS DISTINCT FROM items + 1
     OR p_offsets[items + 1] - 1 IS DISTINCT FROM coalesce(array_length(p_codes, 1), 0) THEN
    RAISE EXCEPTION 'batch offsets do not match the postings' USING ERRCODE = 'LG007';
  END IF;
  SELECT min(i) INTO invalid FROM generate_series(1, items) i
  WHERE p_offsets[i + 1] - p_offsets[i] < 2
     OR array_position(p_amounts[p_offsets[i]:p_offsets[i + 1] - 1], 0::bigint) IS NOT NULL;
  IF invalid IS NOT NULL THEN
    RAISE EXCEPTION 'batch item % needs at least two non-zero postings', invalid USING ERRCODE = 'LG007';
  END IF;
  bounds := p_offsets[1:items];
  ids := ledger_resolve_accounts(p_codes, p_owner_types, p_owner_ids, p_purposes, p_currencies,
                                 p_allow_negative);
  PERFORM 1 FROM ledger_balances b WHERE b.account_id = ANY(ids) ORDER BY b.account_id FOR UPDATE;

  -- Offsets are strictly increasing here, so width_bucket maps a posting to its item.
  SELECT NOT EXISTS (SELECT 1 FROM unnest(p_keys) k GROUP BY k HAVING count(*) > 1)
     AND NOT EXISTS (SELECT 1 FROM unnest(p_currencies, p_amounts) WITH ORDINALITY AS u(currency, amount, ord)
                     GROUP BY width_bucket(u.ord::int, bounds), u.currency
                     HAVING sum(u.amount) <> 0)
     AND NOT EXISTS (
       SELECT 1
       FROM (SELECT d.delta, b.allow_negative,
                    b.posted - b.held + sum(d.delta) OVER (PARTITION BY d.account_id ORDER BY d.item) AS available_after
             FROM (SELECT width_bucket(u.ord::int, bounds) AS item, u.account_id, sum(u.amount) AS delta
                   FROM unnest(ids, p_amounts) WITH ORDINALITY AS u(account_id, amount, ord)
                   GROUP BY 1, 2) d
             CROSS JOIN LATERAL (SELECT b.posted, b.held, b.allow_negative FROM ledger_balances b
                                 WHERE b.account_id = d.account_id) b) r
       WHERE r.delta < 0 AND NOT r.allow_negative AND r.available_after < 0)
     -- every posting in its account's currency (the balance row's, which references the account's)
     AND NOT EXISTS (
       SELECT 1 FROM unnest(ids, p_currencies) AS u(account_id, currency)
       WHERE (SELECT b.currency FROM ledger_balances b WHERE b.account_id = u.account_id) IS DISTINCT FROM u.currency::bpchar)
  INTO set_based;

  IF set_based THEN
    BEGIN
      WITH claimed AS (
        INSERT INTO ledger_transactions (idempotency_key, kind, metadata, contract_id, request_hash)
        SELECT p_keys[i], p_kinds[i], coalesce(p_metadata[i], '{}'::jsonb), p_contract_ids[i], p_hashes[i]
        FROM generate_series(1, items) i ORDER BY i
        ON CONFLICT (idempotency_key) DO NOTHING
        RETURNING ledger_transactions.id, ledger_transactions.idempotency_key, ledger_transactions.created_at
      )
      SELECT array_agg(c.id ORDER BY k.i), array_agg(c.created_at ORDER BY k.i) INTO tx_ids, tx_created
      FROM unnest(p_keys) WITH ORDINALITY AS k(key, i) JOIN claimed c ON c.idempotency_key = k.key;
      IF coalesce(array_length(tx_ids, 1), 0) <> items THEN
        RAISE EXCEPTION 'a batch key is taken' USING ERRCODE = 'LG008';
      END IF;
    EXCEPTION WHEN SQLSTATE 'LG008' THEN
      set_based := false;
    END;
  END IF;

  IF set_based THEN
    posted_at := clock_timestamp();
    RETURN QUERY
    WITH moves AS (
      SELECT u.ord, width_bucket(u.ord::int, bounds) AS item, u.account_id, u.amount, u.currency,
             b.posted + sum(u.amount) OVER w AS balance_after,
             b.version + row_number() OVER w AS account_version
      FROM unnest(ids, p_amounts, p_currencies) WITH ORDINALITY AS u(account_id, amount, currency, ord)
      CROSS JOIN LATERAL (SELECT b.posted, b.version FROM ledger_balances b
                          WHERE b.account_id = u.account_id) b
      WINDOW w AS (PARTITION BY u.account_id ORDER BY u.ord)
    ), inserted AS (
      INSERT INTO ledger_postings (transaction_id, account_id, amount, currency, balance_after,
                                   account_version, created_at)
      SELECT tx_ids[m.item], m.account_id, m.amount, m.currency, m.balance_after, m.account_version, posted_at
      FROM moves m ORDER BY m.ord
      RETURNING ledger_postings.id, ledger_postings.transaction_id, ledger_postings.account_id,
                ledger_postings.balance_after
    ), updated AS (
      UPDATE ledger_balances b
      SET posted = d.balance_after, version = d.account_version, updated_at = posted_at
      FROM (SELECT DISTINCT ON (m.account_id) m.account_id, m.balance_after, m.account_version
            FROM moves m ORDER BY m.account_id, m.ord DESC) d
      WHERE b.account_id = ANY(ids) AND b.account_id = d.account_id
    )
    SELECT k.i, 'posted'::text, tx_ids[k.i], tx_created[k.i], r.posting_ids, r.account_ids,
           r.balances_after, NULL::jsonb
    FROM generate_series(1, items) k(i)
    JOIN (SELECT i.transaction_id, array_agg(i.id ORDER BY i.id) AS posting_ids,
                 array_agg(i.account_id ORDER BY i.id) AS account_ids,
                 array_agg(i.balance_after ORDER BY i.id) AS balances_after
          FROM inserted i GROUP BY i.transaction_id) r ON r.transaction_id = tx_ids[k.i]
    ORDER BY k.i;
    RETURN;
  END IF;

  FOR i IN 1 .. items LOOP
    result := ledger_post_resolved(
      p_keys[i], p_kinds[i], p_metadata[i], p_contract_ids[i], p_hashes[i],
      ids[p_offsets[i]:p_offsets[i + 1] - 1], p_amounts[p_offsets[i]:p_offsets[i + 1] - 1],
      p_currencies[p_offsets[i]:p_offsets[i + 1] - 1], true);
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
END $function$;
