import type { Db } from "@agrinet/db";
import { migrationStatus } from "@agrinet/db";

/** A worker that has not beaten for this long is taken to be gone (payouts answer 503). */
export const workerHeartbeatMaxAgeMs = 30_000;

export type PartStatus = "ok" | "unavailable" | "pending" | "offline";

export type SystemStatus = {
  status: "ok" | "degraded";
  database: PartStatus;
  migrations: PartStatus;
  worker: PartStatus;
  details: {
    pendingMigrations: string[];
    workers: Array<{ workerId: string; hostname: string; pid: number; ageMs: number }>;
    checkedAt: string;
  };
};

export type GetSystemStatusOptions = {
  db: Db;
  /** Migration directory names shipped with this build. */
  expectedMigrations: string[];
  now?: Date;
};

export async function getSystemStatus(options: GetSystemStatusOptions): Promise<SystemStatus> {
  const now = options.now ?? new Date();
  const details: SystemStatus["details"] = {
    pendingMigrations: [],
    workers: [],
    checkedAt: now.toISOString(),
  };
  try {
    const [migrations, heartbeats] = await Promise.all([
      migrationStatus(
        (sql) => options.db.$queryRawUnsafe(sql),
        options.expectedMigrations,
      ),
      options.db.workerHeartbeat.findMany({ orderBy: { beatAt: "desc" } }).catch(() => []),
    ]);
    details.pendingMigrations = [...migrations.failed, ...migrations.pending];
    details.workers = heartbeats.map((h) => ({
      workerId: h.workerId,
      hostname: h.hostname,
      pid: h.pid,
      ageMs: now.getTime() - h.beatAt.getTime(),
    }));
    const migrationsOk = details.pendingMigrations.length === 0;
    const workerOk = details.workers.some((w) => w.ageMs <= workerHeartbeatMaxAgeMs);
    return {
      status: migrationsOk && workerOk ? "ok" : "degraded",
      database: "ok",
      migrations: migrationsOk ? "ok" : "pending",
      worker: workerOk ? "ok" : "offline",
      details,
    };
  } catch {
    return {
      status: "degraded",
      database: "unavailable",
      migrations: "unavailable",
      worker: "unavailable",
      details,
    };
  }
}

export type HeartbeatOptions = { db: Db; workerId: string; hostname: string; pid: number };

export async function recordWorkerHeartbeat(options: HeartbeatOptions): Promise<void> {
  const { db, workerId, hostname, pid } = options;
  await db.workerHeartbeat.upsert({
    where: { workerId },
    create: { workerId, hostname, pid },
    update: { beatAt: new Date() },
  });
}

export async function clearWorkerHeartbeat(options: { db: Db; workerId: string }): Promise<void> {
  await options.db.workerHeartbeat.deleteMany({ where: { workerId: options.workerId } });
}

/**
 * Unlocks the jobs held by graphile-worker pools whose worker stopped beating (killed, host
 * lost), so another worker takes them now instead of after graphile-worker's 4-hour lock
 * timeout, and forgets those workers. A heartbeat's id ends with its pool's id.
 */
export async function recoverJobsOfDeadWorkers(options: { db: Db; maxAgeMs?: number }): Promise<string[]> {
  const maxAgeSeconds = (options.maxAgeMs ?? workerHeartbeatMaxAgeMs) / 1000;
  const rows = await options.db.$queryRaw<Array<{ locked_by: string }>>`
    select distinct j.locked_by from graphile_worker.jobs j
    where j.locked_by is not null
      and j.locked_at < now() - make_interval(secs => ${maxAgeSeconds}::double precision)
      and not exists (
        select 1 from worker_heartbeats h
        where h.worker_id like '%/' || j.locked_by
          and h.beat_at > now() - make_interval(secs => ${maxAgeSeconds}::double precision))`;
  const pools = rows.map((r) => r.locked_by);
  if (pools.length > 0) {
    await options.db.$executeRaw`select graphile_worker.force_unlock_workers(${pools}::text[])`;
  }
  await options.db.$executeRaw`
    delete from worker_heartbeats where beat_at < now() - make_interval(secs => ${maxAgeSeconds * 10}::double precision)`;
  return pools;
}
