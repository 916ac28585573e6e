-- schedule_payout_status_sweeps called graphile_worker.add_jobs for every statement that plans
-- checks (each payout batch of the worker): an upsert of the job row plus a NOTIFY, which
-- serialises the commit with every other notifying one, to find most times that the sweep for
-- that second was already waiting. Only the seconds without a waiting sweep are added now.
--
-- The waiting sweep's row is locked FOR SHARE until this transaction ends: graphile-worker takes
-- jobs FOR UPDATE SKIP LOCKED, so that sweep cannot start before the payouts planned here are
-- committed and visible to it. A sweep already running (locked) or given up on does not count:
-- add_jobs then queues a new one for that second, as before.
create or replace function schedule_payout_status_sweeps(due timestamptz[]) returns integer
language plpgsql volatile as $$
declare
  slots timestamptz[];
begin
  select array_agg(s order by s) into slots
  from (select distinct to_timestamp(ceil(extract(epoch from d))) as s from unnest(due) d where d is not null) x
  where not exists (
    select 1 from graphile_worker._private_jobs j
    where j.key = 'payouts:status-sweep:' || extract(epoch from x.s)::bigint and j.is_available
    for share of j
  );
  if slots is null then
    return 0;
  end if;
  perform graphile_worker.add_jobs(array(
    select row('payouts:status-sweep', '{}'::json, null::text, s, 10,
               'payouts:status-sweep:' || extract(epoch from s)::bigint, null::int, null::text[])::graphile_worker.job_spec
    from unnest(slots) s order by s));
  return cardinality(slots);
end
$$;
