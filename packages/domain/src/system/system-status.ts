import type { Db } from "@agrinet/db";
import { migrationStatus } from "@agrinet/db";
import { unlockJobsOfDeadPools } from "@agrinet/job-queue";

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

/**
 * How stale reads from DATABASE_READ_URL may be right now: whether that server is a replica, and
 * how far its replay is behind (0 when it has replayed all it received, else the age of the last
 * transaction it replayed, which also counts time the primary spent idle). HAProxy's read port
 * only serves replicas under 16 MB of WAL behind (deploy/README.md), falling back to the primary.
 */
export type ReadReplicaStatus = { status: "ok" | "unavailable"; replica: boolean | null; replayLagSeconds: number | null };

export async function getReadReplicaStatus(readDb: Db): Promise<ReadReplicaStatus> {
  try {
    const [row] = await readDb.$queryRaw<Array<{ replica: boolean; lag: number | null }>>`
      select pg_is_in_recovery() as replica,
             case when not pg_is_in_recovery() then null
                  when pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() then 0
                  else extract(epoch from now() - pg_last_xact_replay_timestamp()) end::float8 as lag`;
    return { status: "ok", replica: row!.replica, replayLagSeconds: row!.lag === null ? null : Math.round(row!.lag * 10) / 10 };
  } catch {
    return { status: "unavailable", replica: null, replayLagSeconds: null };
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
 * Unlocks the jobs held by worker pools whose worker stopped beating (killed, host lost), so
 * another worker takes them now instead of after the queue's 4-hour lock timeout, and forgets
 * those workers. A heartbeat's id ends with its pool's id.
 */
export async function recoverJobsOfDeadWorkers(options: { db: Db; maxAgeMs?: number }): Promise<string[]> {
  const maxAgeSeconds = (options.maxAgeMs ?? workerHeartbeatMaxAgeMs) / 1000;
  // The database's clock for both sides of the comparison, as the lock times are its own.
  const live = await options.db.$queryRaw<Array<{ worker_id: string }>>`
    select worker_id from worker_heartbeats
    where beat_at > now() - make_interval(secs => ${maxAgeSeconds}::double precision)`;
  const pools = await unlockJobsOfDeadPools(options.db, {
    lockedForSeconds: maxAgeSeconds,
    liveWorkerIds: live.map((row) => row.worker_id),
  });
  await options.db.$executeRaw`
    delete from worker_heartbeats where beat_at < now() - make_interval(secs => ${maxAgeSeconds * 10}::double precision)`;
  return pools;
}
