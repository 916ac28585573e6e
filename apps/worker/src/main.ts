import { createDb } from "@agrinet/db";
import { pino } from "pino";
import { loadWorkerEnv } from "./env";
import { startWorker } from "./worker";

const env = loadWorkerEnv();
const log = pino({ level: env.LOG_LEVEL, name: "worker" });
const db = createDb({ connectionString: env.DATABASE_URL, maxConnections: 4 });

const worker = await startWorker({
  db,
  connectionString: env.DATABASE_URL,
  concurrency: env.WORKER_CONCURRENCY,
  heartbeatSeconds: env.WORKER_HEARTBEAT_SECONDS,
  log,
});
log.info({ workerId: worker.workerId }, "worker started");

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
