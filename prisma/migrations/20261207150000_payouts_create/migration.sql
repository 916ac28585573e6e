-- Creating payouts is one statement for every request that arrives while the previous one is in
-- the database (group commit, as POST /deposit does), one commit for them all.
--
-- Before, each POST /payouts cost ~10 round trips (reference lookup, worker heartbeat, balance
-- pre-read, then a Prisma interactive transaction: hold, insert, add_job, update, event, audit)
-- and two NOTIFYs (the event's pg_notify and add_job's 'jobs:insert'). PostgreSQL serialises the
-- commits of notifying transactions (one lock held across the WAL flush), so every payout waited
-- for every other payout's disk flush: ~110 a second whatever the number of connections.
--
-- payouts_create takes the requests of one batch as arrays and, per request, in the order of the
-- wallet's ledger account id (the order every ledger function locks balance rows in, so two
-- batches never wait on each other in a cycle) and then of arrival:
--   * a reference already used answers 'exists' with that payout's id (the caller compares the
--     request hash: replay, or IDEMPOTENCY_KEY_REUSED);
--   * without a live worker heartbeat, 'worker_offline';
--   * the wallet's balance row is locked and its available amount checked: 'insufficient_funds'
--     (detail: available);
--   * a payout naming a contract (contracts are locked first, before any wallet) must be its
--     producer's and fit what the contract released less what is drawn: 'contract_missing',
--     'contract_producer', 'contract_not_released', 'contract_short' (detail: the contract's
--     settled amount and what is already drawn, this batch included);
--   * else the hold is made by ledger_create_hold, the one hold transition, and the payout
--     'created'.
-- Then, set-based for the created ones: their graphile-worker jobs (one add_jobs: one NOTIFY
-- per batch instead of one per payout; the jobs wait 100 years for a run to bring them forward),
-- the payout rows, their payout.queued events (without NOTIFY: the caller wakes the outbox
-- dispatcher after the commit) and their audit rows.
create or replace function payouts_create(
  p_ids text[], p_user_ids text[], p_amounts bigint[], p_currencies text[],
  p_destination_types text[], p_destinations jsonb[], p_contract_ids text[], p_references text[],
  p_request_hashes text[], p_max_attempts int[], p_worker_max_age_ms int[],
  -- the wallet's account, as parseAccountCode describes it
  p_account_codes text[], p_account_owner_types text[], p_account_owner_ids text[],
  p_account_purposes text[], p_account_allow_negative boolean[],
  -- payout.queued payloads, audit actors (null: no audit row), ips and metadata
  p_event_payloads jsonb[], p_audit_actors text[], p_audit_ips text[], p_audit_metadata jsonb[],
  p_job_task text, p_job_delay interval
) returns table (ord int, outcome text, payout_id text, hold_id text, job_id text, created_at timestamptz, detail jsonb)
language plpgsql volatile as $$
#variable_conflict use_column
declare
  item record;
  last_beat timestamptz;
  v_available bigint;
  v_negative_ok boolean;
  con record;
  drawn bigint;
  hold record;
  created_ords int[] := '{}';
  held bigint[] := '{}';
  created_contracts text[] := '{}';
  created_amounts bigint[] := '{}';
  n_inserted int;
begin
  select max(h.beat_at) into last_beat from worker_heartbeats h;

  -- Contracts first, in id order, then wallets in account id order: the lock order of every
  -- single payout too, so concurrent batches cannot deadlock on each other.
  perform 1 from contracts c
  where c.id in (select distinct x from unnest(p_contract_ids) x where x is not null)
  order by c.id for update;

  for item in
    select u.ord::int as ord, a.id as account_id
    from unnest(p_account_codes) with ordinality as u(code, ord)
    left join ledger_accounts a on a.code = u.code
    order by a.id nulls first, u.ord
  loop
    -- Idempotent by reference: the caller's own earlier request (or a different one, which the
    -- caller refuses by its request hash).
    select p.id into payout_id from payouts p where p.reference = p_references[item.ord];
    if found then
      ord := item.ord; outcome := 'exists'; detail := null; hold_id := null; job_id := null; created_at := null;
      return next;
      continue;
    end if;
    if last_beat is null or last_beat <= now() - make_interval(secs => p_worker_max_age_ms[item.ord] / 1000.0) then
      ord := item.ord; outcome := 'worker_offline'; payout_id := null; detail := null;
      return next;
      continue;
    end if;

    -- The hold decides under the wallet's balance row lock; checking first here keeps a refusal
    -- from raising (which would undo the whole batch).
    v_available := null;
    v_negative_ok := null;
    select b.posted - b.held, b.allow_negative into v_available, v_negative_ok
    from ledger_balances b where b.account_id = item.account_id for update;
    if not coalesce(v_negative_ok, p_account_allow_negative[item.ord])
       and coalesce(v_available, 0) < p_amounts[item.ord] then
      ord := item.ord; outcome := 'insufficient_funds'; payout_id := null;
      detail := jsonb_build_object('available', coalesce(v_available, 0)::text, 'account', p_account_codes[item.ord]);
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

    select h.hold_id into hold from ledger_create_hold(
      'payout:' || p_ids[item.ord] || ':reserve', p_account_codes[item.ord],
      p_account_owner_types[item.ord], p_account_owner_ids[item.ord], p_account_purposes[item.ord],
      p_currencies[item.ord], p_account_allow_negative[item.ord],
      p_amounts[item.ord], null,
      case when p_contract_ids[item.ord] is null then jsonb_build_object('payoutId', p_ids[item.ord])
           else jsonb_build_object('payoutId', p_ids[item.ord], 'contractId', p_contract_ids[item.ord]) end) h;
    created_ords := created_ords || item.ord;
    held := held || hold.hold_id;
    created_contracts := created_contracts || p_contract_ids[item.ord];
    created_amounts := created_amounts || p_amounts[item.ord];
  end loop;

  if cardinality(created_ords) = 0 then
    return;
  end if;

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
    insert into payouts as p (id, user_id, amount, currency, destination_type, destination,
                              contract_id, reference, request_hash, hold_id, job_id)
    select p_ids[c.ord], p_user_ids[c.ord], p_amounts[c.ord], p_currencies[c.ord],
           p_destination_types[c.ord], p_destinations[c.ord], p_contract_ids[c.ord],
           p_references[c.ord], p_request_hashes[c.ord], c.hold_id::text, jobs.id::text
    from created c join jobs on jobs.key = p_ids[c.ord]
    order by c.ord
    returning p.id, p.hold_id, p.job_id, p.created_at
  )
  select c.ord, 'created'::text, i.id, i.hold_id, i.job_id, i.created_at, null::jsonb
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
$$;

-- ledger_create_hold, same checks and answers, cheaper per call (every payout makes one): an
-- account that exists is found by its code with one index lookup instead of through
-- ledger_resolve_accounts' array query (planned again on every call: ~40% of the hold's time in
-- bench:payouts), and the new hold's row comes back from its INSERT instead of being read again.
CREATE OR REPLACE FUNCTION ledger_create_hold(
  p_idempotency_key text, p_code text, p_owner_type text, p_owner_id text, p_purpose text,
  p_currency text, p_allow_negative boolean, p_amount bigint, p_expires_at timestamptz,
  p_metadata jsonb
) RETURNS TABLE (hold_id bigint, replayed boolean, status text, account_id bigint, amount bigint,
                 expires_at timestamptz, created_at timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
  v_account_id bigint;
  created ledger_holds;
  existing record;
  bal record;
BEGIN
  IF p_amount IS NULL OR p_amount <= 0 THEN
    RAISE EXCEPTION 'a hold amount must be greater than zero' USING ERRCODE = 'LG007';
  END IF;
  SELECT a.id INTO v_account_id FROM ledger_accounts a WHERE a.code = p_code;
  IF v_account_id IS NULL THEN
    v_account_id := (ledger_resolve_accounts(ARRAY[p_code], ARRAY[p_owner_type], ARRAY[p_owner_id],
                                             ARRAY[p_purpose], ARRAY[p_currency], ARRAY[p_allow_negative]))[1];
  END IF;

  INSERT INTO ledger_holds AS h (idempotency_key, account_id, currency, amount, expires_at, metadata)
  VALUES (p_idempotency_key, v_account_id, p_currency, p_amount, p_expires_at, coalesce(p_metadata, '{}'::jsonb))
  ON CONFLICT (idempotency_key) DO NOTHING
  RETURNING h.* INTO created;

  IF created.id IS NULL THEN
    SELECT * INTO existing FROM ledger_holds h WHERE h.idempotency_key = p_idempotency_key;
    IF existing.account_id <> v_account_id OR existing.amount <> p_amount THEN
      RAISE EXCEPTION 'idempotency key % was already used for a different hold', p_idempotency_key
        USING ERRCODE = 'LG004', DETAIL = json_build_object('holdId', existing.id::text)::text;
    END IF;
    RETURN QUERY SELECT existing.id, true, existing.status, existing.account_id, existing.amount,
                        existing.expires_at, existing.created_at;
    RETURN;
  END IF;

  SELECT b.posted, b.held, b.allow_negative INTO bal
  FROM ledger_balances b WHERE b.account_id = v_account_id FOR UPDATE;
  IF NOT bal.allow_negative AND bal.posted - bal.held < p_amount THEN
    RAISE EXCEPTION 'insufficient funds in %: available %, needed %', p_code, bal.posted - bal.held, p_amount
      USING ERRCODE = 'LG003',
      DETAIL = json_build_object('account', p_code, 'available', (bal.posted - bal.held)::text,
                                 'required', p_amount::text)::text;
  END IF;
  UPDATE ledger_balances b SET held = b.held + p_amount, updated_at = clock_timestamp()
  WHERE b.account_id = v_account_id;

  RETURN QUERY SELECT created.id, false, created.status, created.account_id, created.amount,
                      created.expires_at, created.created_at;
END $$;
