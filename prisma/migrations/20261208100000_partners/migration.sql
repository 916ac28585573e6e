-- Partners as tenants (#21). A partner (a buyer app, a cooperative's app) owns its API keys, its
-- users and the records it creates; a key reads and moves only its partner's.
--
-- Users: ids stay global (the spec's `user_buyer1` is what partners send), each with one home
-- partner, the first to name it; another partner reaches it only through an explicit, audited
-- staff share (partner_user_shares). Everything that existed before belongs to the default
-- partner, and so does a user first named by staff or the platform itself.
CREATE TABLE "partners" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" TEXT NOT NULL,
    CONSTRAINT "partners_pkey" PRIMARY KEY ("id")
);
INSERT INTO "partners" ("id", "name", "created_by") VALUES ('partner_default', 'Default partner', 'system:migration');

CREATE TABLE "users" (
    "id" TEXT NOT NULL,
    "partner_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "users_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "users_partner_id_fkey" FOREIGN KEY ("partner_id") REFERENCES "partners"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX "users_partner_id_created_at_idx" ON "users"("partner_id", "created_at");

CREATE TABLE "partner_user_shares" (
    "partner_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" TEXT NOT NULL,
    CONSTRAINT "partner_user_shares_pkey" PRIMARY KEY ("partner_id", "user_id"),
    CONSTRAINT "partner_user_shares_partner_id_fkey" FOREIGN KEY ("partner_id") REFERENCES "partners"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "partner_user_shares_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX "partner_user_shares_user_id_idx" ON "partner_user_shares"("user_id");

INSERT INTO "users" ("id", "partner_id")
SELECT DISTINCT u, 'partner_default' FROM (
  SELECT "user_id" FROM "deposits"
  UNION SELECT "user_id" FROM "payouts"
  UNION SELECT "consumer_id" FROM "contracts"
  UNION SELECT "producer_id" FROM "contracts"
  UNION SELECT "owner_id" FROM "ledger_accounts" WHERE "owner_type" = 'user'
  UNION SELECT "user_id" FROM "paybill_accounts" WHERE "user_id" IS NOT NULL
  UNION SELECT "user_id" FROM "partner_user_subscriptions"
) AS known(u);

ALTER TABLE "api_keys" ADD COLUMN "partner_id" TEXT;
UPDATE "api_keys" SET "partner_id" = 'partner_default';
ALTER TABLE "api_keys" ALTER COLUMN "partner_id" SET NOT NULL,
  ADD CONSTRAINT "api_keys_partner_id_fkey" FOREIGN KEY ("partner_id") REFERENCES "partners"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
CREATE INDEX "api_keys_partner_id_idx" ON "api_keys"("partner_id");

-- A record belongs to the partner that created it. Where the creator is staff or the platform
-- (a C2B payment to a user's paybill account) it is the user's home partner; a user nobody has
-- named yet becomes the default partner's. One rule, in the database, for every insert path.
CREATE FUNCTION tenancy_home_partner(p_user_id text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_partner_id text;
BEGIN
  SELECT u.partner_id INTO v_partner_id FROM users u WHERE u.id = p_user_id;
  IF FOUND THEN
    RETURN v_partner_id;
  END IF;
  INSERT INTO users (id, partner_id) VALUES (p_user_id, 'partner_default') ON CONFLICT (id) DO NOTHING;
  SELECT u.partner_id INTO v_partner_id FROM users u WHERE u.id = p_user_id;
  RETURN v_partner_id;
END
$$;

CREATE FUNCTION tenancy_fill_partner() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- Separate branches: a branch is planned only when it runs, and only contracts have consumer_id.
  IF NEW.partner_id IS NOT NULL THEN
    RETURN NEW;
  ELSIF TG_TABLE_NAME = 'contracts' THEN
    NEW.partner_id := tenancy_home_partner(NEW.consumer_id);
  ELSE
    NEW.partner_id := tenancy_home_partner(NEW.user_id);
  END IF;
  RETURN NEW;
END
$$;

ALTER TABLE "deposits" ADD COLUMN "partner_id" TEXT;
UPDATE "deposits" SET "partner_id" = 'partner_default';
ALTER TABLE "deposits" ALTER COLUMN "partner_id" SET NOT NULL;
DROP INDEX "deposits_reference_key";
CREATE UNIQUE INDEX "deposits_partner_id_reference_key" ON "deposits"("partner_id", "reference");
CREATE INDEX "deposits_partner_id_created_at_idx" ON "deposits"("partner_id", "created_at" DESC);
CREATE TRIGGER "deposits_fill_partner" BEFORE INSERT ON "deposits" FOR EACH ROW EXECUTE FUNCTION tenancy_fill_partner();

ALTER TABLE "payouts" ADD COLUMN "partner_id" TEXT;
UPDATE "payouts" SET "partner_id" = 'partner_default';
ALTER TABLE "payouts" ALTER COLUMN "partner_id" SET NOT NULL;
DROP INDEX "payouts_reference_key";
CREATE UNIQUE INDEX "payouts_partner_id_reference_key" ON "payouts"("partner_id", "reference");
CREATE INDEX "payouts_partner_id_created_at_idx" ON "payouts"("partner_id", "created_at");
CREATE TRIGGER "payouts_fill_partner" BEFORE INSERT ON "payouts" FOR EACH ROW EXECUTE FUNCTION tenancy_fill_partner();

ALTER TABLE "contracts" ADD COLUMN "partner_id" TEXT;
UPDATE "contracts" SET "partner_id" = 'partner_default';
ALTER TABLE "contracts" ALTER COLUMN "partner_id" SET NOT NULL;
CREATE INDEX "contracts_partner_id_created_at_idx" ON "contracts"("partner_id", "created_at");
CREATE TRIGGER "contracts_fill_partner" BEFORE INSERT ON "contracts" FOR EACH ROW EXECUTE FUNCTION tenancy_fill_partner();

-- payouts_create as in 20261207150000_payouts_create, with the partner of each payout: a
-- reference is looked up within its partner and the row records it.
drop function payouts_create(text[], text[], bigint[], text[], text[], jsonb[], text[], text[], text[], int[], int[],
  text[], text[], text[], text[], boolean[], jsonb[], text[], text[], jsonb[], text, interval);
create function payouts_create(
  p_ids text[], p_user_ids text[], p_amounts bigint[], p_currencies text[],
  p_destination_types text[], p_destinations jsonb[], p_contract_ids text[], p_references text[],
  p_request_hashes text[], p_max_attempts int[], p_worker_max_age_ms int[],
  -- the wallet's account, as parseAccountCode describes it
  p_account_codes text[], p_account_owner_types text[], p_account_owner_ids text[],
  p_account_purposes text[], p_account_allow_negative boolean[],
  -- payout.queued payloads, audit actors (null: no audit row), ips and metadata
  p_event_payloads jsonb[], p_audit_actors text[], p_audit_ips text[], p_audit_metadata jsonb[],
  p_job_task text, p_job_delay interval,
  -- whose payouts: references are unique per partner
  p_partner_ids text[]
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
    select p.id into payout_id from payouts p
    where p.partner_id = p_partner_ids[item.ord] and p.reference = p_references[item.ord];
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
    insert into payouts as p (id, partner_id, user_id, amount, currency, destination_type, destination,
                              contract_id, reference, request_hash, hold_id, job_id)
    select p_ids[c.ord], p_partner_ids[c.ord], p_user_ids[c.ord], p_amounts[c.ord], p_currencies[c.ord],
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

-- A wallet is a user's: a user account the ledger makes (the platform crediting someone no
-- partner has named yet) names its user for the default partner, so every wallet holder has a
-- home partner.
CREATE FUNCTION tenancy_account_user() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM tenancy_home_partner(NEW.owner_id);
  RETURN NEW;
END
$$;
CREATE TRIGGER "ledger_accounts_user" AFTER INSERT ON "ledger_accounts"
  FOR EACH ROW WHEN (NEW.owner_type = 'user') EXECUTE FUNCTION tenancy_account_user();
