-- AlterTable
ALTER TABLE "payouts" ADD COLUMN     "status_check" INTEGER,
ADD COLUMN     "status_check_at" TIMESTAMPTZ(3);

-- Adds the status-sweep jobs that cover these due times: one job per second (job_key
-- deduplicated), running at the end of that second. One call per statement whatever the number
-- of payouts, instead of one graphile-worker job per payout to add and, once settled, remove.
-- plpgsql: graphile-worker installs its schema itself, possibly after this migration.
create function schedule_payout_status_sweeps(due timestamptz[]) returns integer
language plpgsql volatile as $$
declare
  slots timestamptz[];
begin
  select array_agg(distinct to_timestamp(ceil(extract(epoch from d)))) into slots from unnest(due) d where d is not null;
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

-- The previous release's per-payout status-check jobs become due times on their payouts, with
-- the sweeps that will run them, so no payout waiting for a result loses its next check.
do $$
declare
  moved timestamptz[];
begin
  if to_regclass('graphile_worker._private_jobs') is null then
    return;
  end if;
  with old as (
    delete from graphile_worker._private_jobs j
    using graphile_worker._private_tasks t
    where t.id = j.task_id and t.identifier = 'payouts:check-status' and j.locked_at is null
    returning j.payload, j.run_at
  ),
  updated as (
    update payouts p set status_check = coalesce((o.payload ->> 'check')::int, 1), status_check_at = o.run_at
    from old o
    where p.id = o.payload ->> 'payoutId' and p.status = 'processing'
    returning p.status_check_at
  )
  select array_agg(status_check_at) into moved from updated;
  perform schedule_payout_status_sweeps(coalesce(moved, '{}'));
end
$$;
