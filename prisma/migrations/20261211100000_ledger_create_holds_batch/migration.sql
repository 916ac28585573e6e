-- Holds are set-based: ledger_create_holds places a batch of holds in a few statements (one
-- insert, one lock of the batch's balance rows in account id order, one update), and a single hold
-- is a batch of one (createHold calls it with one item): one implementation of the transition.
-- payouts_create called ledger_create_hold once per payout, four statements each (~35% of a
-- payout's create under `pnpm bench:payouts`); it now places its whole batch's holds in one call,
-- and locks and reads the batch's wallet balances in one statement instead of one per payout.
--
-- Semantics are those of calling the single hold once per item, in item order, in one
-- transaction: a key already used (before, or by an earlier item of the batch) answers that hold
-- with `replayed` when account and amount match and raises LG004 otherwise; an account that may
-- not go negative must have available at least the sum of the batch's new holds on it, or the
-- call raises LG003 (detail: account, available, required) and places none.
CREATE FUNCTION public.ledger_create_holds(p_idempotency_keys text[], p_codes text[], p_owner_types text[], p_owner_ids text[], p_purposes text[], p_currencies text[], p_allow_negative boolean[], p_amounts bigint[], p_expires_at timestamp with time zone[], p_metadata jsonb[])
 RETURNS TABLE(item integer, hold_id bigint, replayed boolean, status text, account_id bigint, amount bigint, expires_at timestamp with time zone, created_at timestamp with time zone)
 LANGUAGE plpgsql
AS $function$
#variable_conflict use_column
DECLARE
  n int := coalesce(cardinality(p_idempotency_keys), 0);
  account_ids bigint[];
  -- by item: the hold this call created, null for a key already used
  created_ids bigint[];
  created_statuses text[];
  created_ats timestamptz[];
  held_accounts bigint[];
  bal record;
  bad record;
BEGIN
  IF n = 0 THEN
    RETURN;
  END IF;
  IF cardinality(p_codes) IS DISTINCT FROM n OR cardinality(p_currencies) IS DISTINCT FROM n
     OR cardinality(p_amounts) IS DISTINCT FROM n OR cardinality(p_allow_negative) IS DISTINCT FROM n THEN
    RAISE EXCEPTION 'ledger_create_holds needs one key, account, currency and amount per item' USING ERRCODE = 'LG007';
  END IF;
  IF EXISTS (SELECT 1 FROM unnest(p_amounts) AS a(amount) WHERE a.amount IS NULL OR a.amount <= 0) THEN
    RAISE EXCEPTION 'a hold amount must be greater than zero' USING ERRCODE = 'LG007';
  END IF;
  account_ids := ledger_resolve_accounts(p_codes, p_owner_types, p_owner_ids, p_purposes, p_currencies, p_allow_negative);

  -- An item whose key an earlier item of the batch also names is a replay of that item's hold.
  WITH inserted AS (
    INSERT INTO ledger_holds AS h (idempotency_key, account_id, currency, amount, expires_at, metadata)
    SELECT u.key, u.account_id, u.currency, u.amount, u.expires_at, coalesce(u.metadata, '{}'::jsonb)
    FROM unnest(p_idempotency_keys, account_ids, p_currencies, p_amounts, p_expires_at, p_metadata)
         WITH ORDINALITY AS u(key, account_id, currency, amount, expires_at, metadata, ord)
    ORDER BY u.ord
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING h.id, h.idempotency_key, h.status, h.created_at
  )
  SELECT array_agg(i.id ORDER BY u.ord), array_agg(i.status ORDER BY u.ord), array_agg(i.created_at ORDER BY u.ord)
  INTO created_ids, created_statuses, created_ats
  FROM (SELECT x.key, x.ord, min(x.ord) OVER (PARTITION BY x.key) AS first_ord
        FROM unnest(p_idempotency_keys) WITH ORDINALITY AS x(key, ord)) u
  LEFT JOIN inserted i ON i.idempotency_key = u.key AND u.ord = u.first_ord;

  IF array_position(created_ids, NULL) IS NOT NULL THEN
    SELECT h.id, h.idempotency_key INTO bad
    FROM unnest(p_idempotency_keys, account_ids, p_amounts, created_ids) AS u(key, account_id, amount, created_id)
    JOIN ledger_holds h ON h.idempotency_key = u.key
    WHERE u.created_id IS NULL AND (h.account_id <> u.account_id OR h.amount <> u.amount)
    LIMIT 1;
    IF FOUND THEN
      RAISE EXCEPTION 'idempotency key % was already used for a different hold', bad.idempotency_key
        USING ERRCODE = 'LG004', DETAIL = json_build_object('holdId', bad.id::text)::text;
    END IF;
  END IF;

  -- The new holds' balances, locked in account id order (the order of every batch) and checked
  -- against the sum of the batch's new holds on each.
  held_accounts := array(SELECT DISTINCT u.account_id FROM unnest(account_ids, created_ids) AS u(account_id, created_id)
                         WHERE u.created_id IS NOT NULL ORDER BY u.account_id);
  IF cardinality(held_accounts) = 0 THEN
    RETURN QUERY
    SELECT u.ord::int, h.id, true, h.status, h.account_id, h.amount, h.expires_at, h.created_at
    FROM unnest(p_idempotency_keys) WITH ORDINALITY AS u(key, ord)
    JOIN ledger_holds h ON h.idempotency_key = u.key
    ORDER BY u.ord;
    RETURN;
  END IF;
  FOR bal IN
    SELECT b.account_id, b.posted - b.held AS available, b.allow_negative, d.required, d.code
    FROM ledger_balances b
    JOIN (SELECT u.account_id, sum(u.amount) AS required, min(u.code) AS code
          FROM unnest(account_ids, p_amounts, created_ids, p_codes) AS u(account_id, amount, created_id, code)
          WHERE u.created_id IS NOT NULL
          GROUP BY u.account_id) d ON d.account_id = b.account_id
    WHERE b.account_id = ANY(held_accounts)
    ORDER BY b.account_id
    FOR UPDATE OF b
  LOOP
    IF NOT bal.allow_negative AND bal.available < bal.required THEN
      RAISE EXCEPTION 'insufficient funds in %: available %, needed %', bal.code, bal.available, bal.required
        USING ERRCODE = 'LG003',
        DETAIL = json_build_object('account', bal.code, 'available', bal.available::text,
                                   'required', bal.required::text)::text;
    END IF;
  END LOOP;
  UPDATE ledger_balances b SET held = b.held + d.required, updated_at = clock_timestamp()
  FROM (SELECT u.account_id, sum(u.amount) AS required
        FROM unnest(account_ids, p_amounts, created_ids) AS u(account_id, amount, created_id)
        WHERE u.created_id IS NOT NULL
        GROUP BY u.account_id) d
  WHERE b.account_id = d.account_id AND b.account_id = ANY(held_accounts);

  RETURN QUERY
  SELECT u.ord::int, u.created_id, false, u.created_status, u.account_id, u.amount, u.expires_at, u.created_at
  FROM unnest(created_ids, created_statuses, account_ids, p_amounts, p_expires_at, created_ats)
       WITH ORDINALITY AS u(created_id, created_status, account_id, amount, expires_at, created_at, ord)
  WHERE u.created_id IS NOT NULL
  UNION ALL
  SELECT u.ord::int, h.id, true, h.status, h.account_id, h.amount, h.expires_at, h.created_at
  FROM unnest(p_idempotency_keys, created_ids) WITH ORDINALITY AS u(key, created_id, ord)
  JOIN ledger_holds h ON h.idempotency_key = u.key
  WHERE u.created_id IS NULL
  ORDER BY 1;
END $function$;

-- payouts_create: the batch's wallets locked in one statement, its holds placed in one call.
CREATE OR REPLACE FUNCTION public.payouts_create(p_ids text[], p_user_ids text[], p_amounts bigint[], p_currencies text[], p_destination_types text[], p_destinations jsonb[], p_contract_ids text[], p_references text[], p_request_hashes text[], p_max_attempts integer[], p_worker_max_age_ms integer[], p_account_codes text[], p_account_owner_types text[], p_account_owner_ids text[], p_account_purposes text[], p_account_allow_negative boolean[], p_event_payloads jsonb[], p_audit_actors text[], p_audit_ips text[], p_audit_metadata jsonb[], p_job_task text, p_job_delay interval, p_partner_ids text[], p_destination_ids text[], p_destination_keys text[], p_default_caps bigint[])
 RETURNS TABLE(ord integer, outcome text, payout_id text, hold_id text, job_id text, created_at timestamp with time zone, detail jsonb)
 LANGUAGE plpgsql
AS $function$
#variable_conflict use_column
declare
  item record;
  last_beat timestamptz;
  v_available bigint;
  -- the wallet of the item at hand and what the batch's earlier items hold on it
  wallet_ids bigint[];
  current_wallet bigint;
  wallet_pending bigint := 0;
  con record;
  drawn bigint;
  created_ords int[] := '{}';
  held bigint[] := '{}';
  created_contracts text[] := '{}';
  created_amounts bigint[] := '{}';
  n_inserted int;
  -- the day totals of the batch's partners and currencies: key, use so far, cap, what the
  -- batch added up front and what it created
  today date := (now() at time zone 'UTC')::date;
  day_keys text[] := '{}';
  day_partners text[] := '{}';
  day_currencies text[] := '{}';
  day_used bigint[] := '{}';
  day_caps bigint[] := '{}';
  day_added bigint[] := '{}';
  day_created bigint[] := '{}';
  day_row record;
  k int;
  -- the payout each item's reference already names, by ord (a replay), found for the whole batch
  replayed text[] := '{}';
  found_payout record;
begin
  select max(h.beat_at) into last_beat from worker_heartbeats h;

  -- Contracts first, in id order, then day totals in (partner, currency) order, then wallets in
  -- account id order: the lock order of every single payout too, so concurrent batches cannot
  -- deadlock on each other.
  perform 1 from contracts c
  where c.id in (select distinct x from unnest(p_contract_ids) x where x is not null)
  order by c.id for update;

  for day_row in
    with batch as (
      select b.partner_id, b.currency, sum(b.amount) as amount, min(b.default_cap) as default_cap
      from unnest(p_partner_ids, p_currencies, p_amounts, p_default_caps) as b(partner_id, currency, amount, default_cap)
      group by b.partner_id, b.currency
    ), totals as (
      insert into payout_day_totals as t (partner_id, currency, day, amount)
      select b.partner_id, b.currency, today, b.amount from batch b order by b.partner_id, b.currency
      on conflict (partner_id, currency, day) do update set amount = t.amount + excluded.amount
      returning t.partner_id, t.currency, t.amount
    )
    select t.partner_id, t.currency, b.amount as added,
           t.amount - b.amount - coalesce(r.amount, 0) as used,
           case when p.daily_payout_caps ? t.currency then (p.daily_payout_caps ->> t.currency)::bigint
                else b.default_cap end as cap
    from totals t
    join batch b on b.partner_id = t.partner_id and b.currency = t.currency
    left join payout_day_returns r on r.partner_id = t.partner_id and r.currency = t.currency and r.day = today
    left join partners p on p.id = t.partner_id
  loop
    day_keys := day_keys || (day_row.partner_id || ' ' || day_row.currency);
    day_partners := day_partners || day_row.partner_id;
    day_currencies := day_currencies || day_row.currency::text;
    day_used := day_used || day_row.used;
    day_caps := day_caps || day_row.cap;
    day_added := day_added || day_row.added;
    day_created := day_created || 0::bigint;
  end loop;

  -- Replays, for the whole batch in one statement. EXECUTE plans it for the table as it is now: a
  -- plan cached while payouts was nearly empty read every payout of the partner through the
  -- (partner_id, created_at) index for each item, costing more with every payout created.
  for found_payout in execute
    'select x.ord::int as ord, p.id from unnest($1::text[], $2::text[]) with ordinality as x(partner_id, reference, ord)
     join payouts p on p.partner_id = x.partner_id and p.reference = x.reference'
    using p_partner_ids, p_references
  loop
    replayed[found_payout.ord] := found_payout.id;
  end loop;

  -- The wallets' balance rows, locked in account id order in one statement; the holds decide
  -- under these locks and each item is checked against what the batch's earlier items hold.
  wallet_ids := array(select a.id from ledger_accounts a where a.code = any(p_account_codes) order by a.id);
  perform 1 from ledger_balances b where b.account_id = any(wallet_ids) order by b.account_id for update;

  for item in
    select u.ord::int as ord, a.id as account_id, b.posted - b.held as available, b.allow_negative
    from unnest(p_account_codes) with ordinality as u(code, ord)
    left join ledger_accounts a on a.code = u.code and a.id = any(wallet_ids)
    left join ledger_balances b on b.account_id = a.id and b.account_id = any(wallet_ids)
    order by a.id nulls first, u.ord
  loop
    if item.account_id is null or item.account_id is distinct from current_wallet then
      current_wallet := item.account_id;
      wallet_pending := 0;
    end if;
    -- Idempotent by reference: the caller's own earlier request (or a different one, which the
    -- caller refuses by its request hash).
    payout_id := replayed[item.ord];
    if payout_id is not null then
      ord := item.ord; outcome := 'exists'; detail := null; hold_id := null; job_id := null; created_at := null;
      return next;
      continue;
    end if;
    if last_beat is null or last_beat <= now() - make_interval(secs => p_worker_max_age_ms[item.ord] / 1000.0) then
      ord := item.ord; outcome := 'worker_offline'; payout_id := null; detail := null;
      return next;
      continue;
    end if;

    -- The holds decide under the wallets' balance row locks; checking first here keeps a refusal
    -- from raising (which would undo the whole batch).
    v_available := coalesce(item.available, 0) - wallet_pending;
    if not coalesce(item.allow_negative, p_account_allow_negative[item.ord])
       and v_available < p_amounts[item.ord] then
      ord := item.ord; outcome := 'insufficient_funds'; payout_id := null;
      detail := jsonb_build_object('available', v_available::text, 'account', p_account_codes[item.ord]);
      return next;
      continue;
    end if;

    if p_contract_ids[item.ord] is not null then
      select c.producer_id, c.status::text as status, c.settled_amount into con
      from contracts c where c.id = p_contract_ids[item.ord];
      if not found then
        ord := item.ord; outcome := 'contract_missing'; payout_id := null; detail := null;
        return next;
        continue;
      end if;
      if con.producer_id <> p_user_ids[item.ord] then
        ord := item.ord; outcome := 'contract_producer'; payout_id := null; detail := null;
        return next;
        continue;
      end if;
      if con.status <> 'released' then
        ord := item.ord; outcome := 'contract_not_released'; payout_id := null;
        detail := jsonb_build_object('status', con.status);
        return next;
        continue;
      end if;
      select coalesce(sum(p.amount), 0) into drawn from payouts p
      where p.contract_id = p_contract_ids[item.ord] and p.status not in ('failed', 'cancelled');
      -- and what this batch has already drawn on it
      drawn := drawn + coalesce((select sum(d.amount) from unnest(created_contracts, created_amounts) as d(contract_id, amount)
                                 where d.contract_id = p_contract_ids[item.ord]), 0);
      if p_amounts[item.ord] > con.settled_amount - drawn then
        ord := item.ord; outcome := 'contract_short'; payout_id := null;
        detail := jsonb_build_object('settled', con.settled_amount::text, 'drawn', drawn::text);
        return next;
        continue;
      end if;
    end if;

    -- The partner's daily cap, last before the hold: only a payout that would otherwise be
    -- created is counted against it.
    k := array_position(day_keys, p_partner_ids[item.ord] || ' ' || p_currencies[item.ord]);
    if day_caps[k] is not null and day_used[k] + p_amounts[item.ord] > day_caps[k] then
      ord := item.ord; outcome := 'limit_exceeded'; payout_id := null;
      detail := jsonb_build_object('cap', day_caps[k]::text, 'used', day_used[k]::text, 'day', today::text);
      return next;
      continue;
    end if;
    day_used[k] := day_used[k] + p_amounts[item.ord];
    day_created[k] := day_created[k] + p_amounts[item.ord];

    wallet_pending := wallet_pending + p_amounts[item.ord];
    created_ords := created_ords || item.ord;
    created_contracts := created_contracts || p_contract_ids[item.ord];
    created_amounts := created_amounts || p_amounts[item.ord];
  end loop;

  -- The day totals were given the whole batch up front: take back what was not created.
  if day_added <> day_created then
    update payout_day_totals t set amount = t.amount - (d.added - d.created)
    from unnest(day_partners, day_currencies, day_added, day_created) as d(partner_id, currency, added, created)
    where t.partner_id = d.partner_id and t.currency = d.currency and t.day = today and d.added <> d.created;
  end if;

  if cardinality(created_ords) = 0 then
    return;
  end if;

  -- The batch's holds, in one call of the one hold function, in created_ords' order.
  held := array(
    select h.hold_id from ledger_create_holds(
      array(select 'payout:' || p_ids[c] || ':reserve' from unnest(created_ords) as c),
      array(select p_account_codes[c] from unnest(created_ords) as c),
      array(select p_account_owner_types[c] from unnest(created_ords) as c),
      array(select p_account_owner_ids[c] from unnest(created_ords) as c),
      array(select p_account_purposes[c] from unnest(created_ords) as c),
      array(select p_currencies[c] from unnest(created_ords) as c),
      array(select p_account_allow_negative[c] from unnest(created_ords) as c),
      array(select p_amounts[c] from unnest(created_ords) as c),
      null,
      array(select case when p_contract_ids[c] is null then jsonb_build_object('payoutId', p_ids[c])
                        else jsonb_build_object('payoutId', p_ids[c], 'contractId', p_contract_ids[c]) end
            from unnest(created_ords) as c)) h
    order by h.item);

  -- Inline destinations are saved now that their payouts are made (once per partner, user and
  -- destination; in key order, so two batches saving the same ones wait in one order).
  with saved as (
    insert into payout_destinations as d (id, partner_id, user_id, type, destination, key, created_by)
    select p_destination_ids[c.ord], p_partner_ids[c.ord], p_user_ids[c.ord], p_destination_types[c.ord],
           p_destinations[c.ord], p_destination_keys[c.ord], coalesce(p_audit_actors[c.ord], 'system:payouts')
    from unnest(created_ords) as c(ord)
    where p_destination_keys[c.ord] is not null
    order by p_partner_ids[c.ord], p_user_ids[c.ord], p_destination_keys[c.ord], c.ord
    on conflict (partner_id, user_id, key) do nothing
    returning d.id, d.partner_id, d.user_id, d.type, d.created_by
  )
  insert into audit_logs (actor, action, target, ip, metadata)
  select s.created_by, 'payout_destination.created', 'payout_destination:' || s.id,
         (select p_audit_ips[c.ord] from unnest(created_ords) as c(ord) where p_destination_ids[c.ord] = s.id),
         jsonb_build_object('userId', s.user_id, 'partnerId', s.partner_id, 'type', s.type)
  from saved s;

  -- The created payouts' rows, answered with their job ids once add_jobs has made them.
  return query
  with created as (
    select c.ord, c.hold_id from unnest(created_ords, held) as c(ord, hold_id)
  ), jobs as (
    select j.id, j.key from graphile_worker.add_jobs(array(
      select row(p_job_task,
                 json_build_object('payoutId', p_ids[c.ord], 'confirmedNotSent', false),
                 null::text, now() + p_job_delay, p_max_attempts[c.ord]::smallint,
                 p_ids[c.ord], null::smallint, null::text[])::graphile_worker.job_spec
      from created c order by c.ord)) j
  ), inserted as (
    insert into payouts as p (id, partner_id, user_id, amount, currency, destination_type, destination,
                              destination_id, contract_id, reference, request_hash, hold_id, job_id)
    select p_ids[c.ord], p_partner_ids[c.ord], p_user_ids[c.ord], p_amounts[c.ord], p_currencies[c.ord],
           p_destination_types[c.ord], p_destinations[c.ord],
           case when p_destination_keys[c.ord] is null then p_destination_ids[c.ord]
                else (select d.id from payout_destinations d
                      where d.partner_id = p_partner_ids[c.ord] and d.user_id = p_user_ids[c.ord]
                        and d.key = p_destination_keys[c.ord]) end,
           p_contract_ids[c.ord], p_references[c.ord], p_request_hashes[c.ord], c.hold_id::text, jobs.id::text
    from created c join jobs on jobs.key = p_ids[c.ord]
    order by c.ord
    returning p.id, p.hold_id, p.job_id, p.created_at, p.destination_id
  )
  select c.ord, 'created'::text, i.id, i.hold_id, i.job_id, i.created_at,
         jsonb_build_object('destinationId', i.destination_id)
  from inserted i join created c on p_ids[c.ord] = i.id;
  get diagnostics n_inserted = row_count;
  if n_inserted <> cardinality(created_ords) then
    -- a hold without its payout row must never commit
    raise exception 'payouts_create: % holds made but % payouts queued', cardinality(created_ords), n_inserted;
  end if;

  insert into domain_events (type, aggregate_type, aggregate_id, user_ids, payload)
  select 'payout.queued', 'payout', p_ids[c.ord], array[p_user_ids[c.ord]], p_event_payloads[c.ord]
  from unnest(created_ords) as c(ord) order by c.ord;
  insert into audit_logs (actor, action, target, ip, metadata)
  select p_audit_actors[c.ord], 'payout.created', 'payout:' || p_ids[c.ord], p_audit_ips[c.ord],
         p_audit_metadata[c.ord]
  from unnest(created_ords) as c(ord)
  where p_audit_actors[c.ord] is not null
  order by c.ord;
end
$function$;

DROP FUNCTION public.ledger_create_hold(text, text, text, text, text, text, boolean, bigint, timestamp with time zone, jsonb);
