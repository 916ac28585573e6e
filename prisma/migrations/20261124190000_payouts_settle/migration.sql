-- Hand-written: settles a batch of paid payouts in one statement. markPayoutsPaid sent six per
-- batch (begin, lock the payouts, lock the balance rows, ledger_commit_holds, mark them paid,
-- commit), each a round trip the API waited for with the payouts locked and, from the balance
-- lock on, the rail's shared clearing account too. Same effects per payout as before:
--   * every payout row locked in id order, then (in ledger_commit_holds) the holds by id and the
--     balance rows by account id, the order every ledger write takes them;
--   * paid: nothing; failed or cancelled: flagged for reconciliation (last error + event), its
--     released hold untouched;
--   * otherwise its hold committed to external:<rail>:<currency> under the key
--     payout:<id>:settle:<holdId>, with the request hash ledgerRequestHash computes (kind, then
--     each posting as account|currency|amount, sha256, base64url), the row marked paid with its
--     ledger snapshot, its status checks ended, a payout.paid event; one NOTIFY per batch.
-- An item with a confirmed amount comes from M-Pesa's status callback, which read nothing
-- before: a final payout is left as it is (the callback may be a replay), and one whose amount
-- is not the confirmed whole units (times p_factors[currency], 10^exponent from @agrinet/core)
-- is not settled, the mismatch recorded on a processing payout.
-- A missing hold, a hold in another currency than its payout or an unsupported currency raises:
-- the caller then settles payout by payout.
CREATE FUNCTION payouts_settle(
  p_ids text[], p_references text[], p_confirmed_amounts bigint[], p_mismatch_errors text[],
  p_currencies text[], p_factors bigint[]
) RETURNS TABLE (payout_id text, status text, changed boolean, refused text)
LANGUAGE plpgsql AS $$
DECLARE
  r record;
  ids text[] := '{}';
  refs text[] := '{}';
  hold_ids bigint[] := '{}';
  hold_codes text[] := '{}';
  amounts bigint[] := '{}';
  currencies text[] := '{}';
  keys text[] := '{}';
  metadata jsonb[] := '{}';
  contract_ids text[] := '{}';
  hashes text[] := '{}';
  rails text[] := '{}';
  to_codes text[] := '{}';
  flag_ids text[] := '{}';
  flag_refs text[] := '{}';
  mismatch_ids text[] := '{}';
  mismatch_errors text[] := '{}';
  to_code text;
  taken_at text;
  last_event bigint;
  transaction_ids bigint[];
  held_after bigint[];
  clearing_after bigint[];
BEGIN
  FOR r IN
    SELECT x.id, x.reference, x.confirmed, x.mismatch, p.status, p.currency::text AS currency, p.amount,
           p.destination_type, p.hold_id, p.contract_id, h.currency::text AS hold_currency,
           h.amount AS hold_amount, a.code AS hold_code, c.factor
    FROM unnest(p_ids, p_references, p_confirmed_amounts, p_mismatch_errors) AS x(id, reference, confirmed, mismatch)
    JOIN payouts p ON p.id = x.id
    LEFT JOIN ledger_holds h ON h.id = p.hold_id::bigint
    LEFT JOIN ledger_accounts a ON a.id = h.account_id
    LEFT JOIN unnest(p_currencies, p_factors) AS c(currency, factor) ON c.currency = p.currency
    ORDER BY p.id
    FOR UPDATE OF p
  LOOP
    payout_id := r.id;
    status := r.status;
    changed := false;
    refused := NULL;
    IF r.confirmed IS NOT NULL AND r.status IN ('paid', 'failed', 'cancelled') THEN
      refused := 'already-final';
    ELSIF r.confirmed IS NOT NULL AND (r.factor IS NULL OR r.amount::numeric <> r.confirmed::numeric * r.factor) THEN
      refused := 'amount-mismatch';
      IF r.status = 'processing' THEN
        mismatch_ids := mismatch_ids || r.id;
        mismatch_errors := mismatch_errors || r.mismatch;
      END IF;
    ELSIF r.status IN ('failed', 'cancelled') THEN
      flag_ids := flag_ids || r.id;
      flag_refs := flag_refs || r.reference;
    ELSIF r.status <> 'paid' THEN
      IF r.hold_code IS NULL THEN
        RAISE EXCEPTION 'hold % of payout % does not exist', r.hold_id, r.id;
      END IF;
      IF r.factor IS NULL OR r.hold_currency <> r.currency THEN
        RAISE EXCEPTION 'hold % of payout % is in %, the payout in %', r.hold_id, r.id, r.hold_currency, r.currency;
      END IF;
      to_code := 'external:' || r.destination_type || ':' || r.currency;
      ids := ids || r.id;
      refs := refs || r.reference;
      hold_ids := hold_ids || r.hold_id::bigint;
      hold_codes := hold_codes || r.hold_code;
      amounts := amounts || r.hold_amount;
      currencies := currencies || r.currency;
      keys := keys || ('payout:' || r.id || ':settle:' || r.hold_id);
      metadata := metadata || jsonb_strip_nulls(jsonb_build_object(
        'payoutId', r.id, 'providerReference', r.reference, 'contractId', r.contract_id));
      contract_ids := contract_ids || r.contract_id;
      hashes := hashes || rtrim(translate(encode(sha256(convert_to(
        'payout_settle' || E'\n' || r.hold_code || '|' || r.currency || '|' || (-r.hold_amount)::text
          || E'\n' || to_code || '|' || r.currency || '|' || r.hold_amount::text, 'UTF8')), 'base64'), '+/', '-_'), '=');
      rails := rails || r.destination_type;
      to_codes := to_codes || to_code;
      status := 'paid';
      changed := true;
    END IF;
    RETURN NEXT;
  END LOOP;

  IF cardinality(mismatch_ids) > 0 THEN
    UPDATE payouts p SET last_error = x.error, updated_at = now()
    FROM unnest(mismatch_ids, mismatch_errors) AS x(id, error)
    WHERE p.id = x.id;
  END IF;

  IF cardinality(flag_ids) > 0 THEN
    -- The provider paid payouts we had already given up on. Never silent: the hold was
    -- released, so an operator must reconcile (event + last error), not the code.
    WITH flagged AS (
      UPDATE payouts p SET last_error = 'provider reported paid (' || x.reference || ') after the payout was ' || p.status || ': reconcile',
                           updated_at = now()
      FROM unnest(flag_ids, flag_refs) AS x(id, reference)
      WHERE p.id = x.id
      RETURNING p.id, p.user_id, p.amount, p.currency, p.destination_type, p.batch_id, p.status, x.reference
    ), events AS (
      INSERT INTO domain_events (type, aggregate_type, aggregate_id, user_ids, payload)
      SELECT 'payout.reconciliation_needed', 'payout', f.id, array[f.user_id],
             jsonb_build_object('payoutId', f.id, 'amount', f.amount::text, 'currency', f.currency,
                                'destinationType', f.destination_type, 'batchId', f.batch_id,
                                'providerReference', f.reference, 'status', f.status)
      FROM flagged f
      ORDER BY f.id
      RETURNING id
    )
    SELECT max(id) INTO last_event FROM events;
    PERFORM pg_notify('domain_events', last_event::text);
  END IF;

  IF cardinality(ids) = 0 THEN
    RETURN;
  END IF;
  -- Last: the clearing account's balance row, shared by every payout on the rail, stays locked
  -- only until the commit that follows this statement.
  SELECT array_agg(c.transaction_id ORDER BY c.item), array_agg(c.balances_after[1] ORDER BY c.item),
         array_agg(c.balances_after[2] ORDER BY c.item)
  INTO transaction_ids, held_after, clearing_after
  FROM ledger_commit_holds(hold_ids, keys, 'payout_settle', metadata, contract_ids, hashes, to_codes,
                           array_fill('external'::text, array[cardinality(ids)]), rails,
                           array_fill('clearing'::text, array[cardinality(ids)]),
                           array_fill(true, array[cardinality(ids)])) c;
  IF cardinality(transaction_ids) IS DISTINCT FROM cardinality(ids) THEN
    RAISE EXCEPTION 'ledger_commit_holds posted % of % holds', cardinality(transaction_ids), cardinality(ids);
  END IF;
  taken_at := to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
  -- Joined through unnest: arrays, not a function's result, so the planner sees a few rows and
  -- reaches each payout by its primary key.
  WITH settled AS (
    UPDATE payouts p SET status = 'paid', provider_reference = x.reference,
                         ledger_snapshot = jsonb_build_object(
                           'ledgerTransactionId', x.transaction_id::text, 'takenAt', taken_at,
                           'balances', jsonb_build_array(
                             jsonb_build_object('account', x.hold_code, 'currency', x.currency,
                                                'amount', (-x.amount)::text, 'postedAfter', x.held_after::text),
                             jsonb_build_object('account', x.to_code, 'currency', x.currency,
                                                'amount', x.amount::text, 'postedAfter', x.clearing_after::text))),
                         paid_at = now(), last_error = NULL, processing_at = coalesce(p.processing_at, now()),
                         updated_at = now(), status_check = NULL, status_check_at = NULL
    FROM unnest(ids, refs, transaction_ids, hold_codes, to_codes, currencies, amounts, held_after, clearing_after)
         AS x(id, reference, transaction_id, hold_code, to_code, currency, amount, held_after, clearing_after)
    WHERE p.id = x.id
    RETURNING p.id, p.user_id, p.amount, p.currency, p.destination_type, p.batch_id, p.provider_reference
  ), events AS (
    INSERT INTO domain_events (type, aggregate_type, aggregate_id, user_ids, payload)
    SELECT 'payout.paid', 'payout', s.id, array[s.user_id],
           jsonb_build_object('payoutId', s.id, 'amount', s.amount::text, 'currency', s.currency,
                              'destinationType', s.destination_type, 'batchId', s.batch_id,
                              'providerReference', s.provider_reference)
    FROM settled s
    ORDER BY s.id
    RETURNING id
  )
  SELECT max(id) INTO last_event FROM events;
  PERFORM pg_notify('domain_events', last_event::text);
END $$;
