import { createDb } from "@agrinet/db";
import { createPayoutRuntime } from "@agrinet/domain";
import { createMpesaCollectionsFromEnv, createPayoutRailsFromEnv } from "@agrinet/rails";
import { pino } from "pino";
import { loadWorkerEnv } from "./env";
import { createTaskList } from "./tasks";
import { startWorker } from "./worker";

const env = loadWorkerEnv();
const log = pino({ level: env.LOG_LEVEL, name: "worker" });
// Every concurrent job may hold a connection, plus the heartbeat's.
const db = createDb({ connectionString: env.DATABASE_URL, maxConnections: env.WORKER_CONCURRENCY + 4 });

const rails = createPayoutRailsFromEnv(env);
// The one payout runtime of this process: its jobs and status sweeps share its batched statements.
const payouts = createPayoutRuntime({ db, rails, statusCheckAfterMs: env.MPESA_RESULT_TIMEOUT_SECONDS * 1000 });
const worker = await startWorker({
  db,
  connectionString: env.DATABASE_URL,
  concurrency: env.WORKER_CONCURRENCY,
  heartbeatSeconds: env.WORKER_HEARTBEAT_SECONDS,
  log,
  tasks: createTaskList({
    db,
    payouts,
    collections: createMpesaCollectionsFromEnv(env),
    webhookAllowPrivateAddresses: env.WEBHOOK_ALLOW_PRIVATE_ADDRESSES,
  }),
  payoutsAutoRunCron: env.PAYOUTS_AUTO_RUN_CRON,
  deadWorkerAfterMs: env.WORKER_DEAD_AFTER_SECONDS * 1000,
  onStoppedAlone() {
    void db.$disconnect().finally(() => process.exit(1));
  },
});
log.info(
  { workerId: worker.workerId, rails: Object.keys(rails), autoRun: env.PAYOUTS_AUTO_RUN_CRON ?? "off" },
  "worker started",
);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "worker stopping: finishing running jobs");
  await worker.stop();
  await db.$disconnect();
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
