// The failover drill's stall (deploy/README.md): jobs finishing while the database is away. The
// worker reaches PostgreSQL through a proxy that cuts its connections and refuses new ones for
// a few seconds, as HAProxy does while Patroni promotes a standby. graphile-worker's batched
// completion then fails; it must retry until the database is back, and the worker keep taking
// jobs afterwards (before the patch of graphile/worker#636 its pool shut down for good while
// the process kept beating).
import { createDb, type Db } from "@agrinet/db";
import { createTestDatabase, startTcpProxy, type TcpProxy, type TestDatabase } from "@agrinet/db/testing";
import { addTestJobs, listJobs } from "@agrinet/job-queue/testing";
import { pino } from "pino";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startWorker, type RunningWorker } from "./worker";

let database: TestDatabase;
let proxy: TcpProxy;
let proxiedDb: Db;
let worker: RunningWorker | undefined;

beforeAll(async () => {
  database = await createTestDatabase();
  const target = new URL(database.url);
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) });
  proxiedDb = createDb({ connectionString: proxy.url(database.url), maxConnections: 4 });
});

afterAll(async () => {
  await worker?.stop().catch(() => {});
  await proxiedDb?.$disconnect();
  await proxy?.close();
  await database?.drop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually<T>(read: () => Promise<T> | T, check: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!check(value) && Date.now() < deadline) {
    await sleep(100);
    value = await read();
  }
  return value;
}

test("jobs that finish while the database is unreachable are completed once it is back, and the worker keeps taking jobs", async () => {
  let started = 0;
  let finished = 0;
  let releaseGate!: () => void;
  const gate = new Promise<void>((resolve) => (releaseGate = resolve));
  const stoppedAlone: unknown[] = [];
  worker = await startWorker({
    db: proxiedDb,
    connectionString: proxy.url(database.url),
    concurrency: 4,
    heartbeatSeconds: 1,
    log: pino({ level: "silent" }),
    tasks: {
      "connection-loss-test": async () => {
        started++;
        await gate;
        finished++;
      },
    },
    onStoppedAlone: (error) => stoppedAlone.push(error),
  });
  const addJobs = (count: number) => addTestJobs(database.db.$pool, "connection-loss-test", count);
  const jobsLeft = async () => (await listJobs(database.db.$pool)).length;

  await addJobs(4);
  expect(await eventually(() => started, (n) => n === 4, 30_000)).toBe(4);

  // The jobs finish while every connection is cut and new ones are refused: their completion
  // (one batched statement) fails until the database is reachable again.
  proxy.refuse(true);
  proxy.cut("reset");
  releaseGate();
  await eventually(() => finished, (n) => n === 4, 5_000);
  await sleep(3_000);
  proxy.refuse(false);

  expect(await eventually(jobsLeft, (n) => n === 0, 60_000)).toBe(0);
  await addJobs(4);
  expect(await eventually(() => finished, (n) => n === 8, 60_000)).toBe(8);
  expect(await eventually(jobsLeft, (n) => n === 0, 30_000)).toBe(0);
  expect(stoppedAlone).toEqual([]);
  expect(await database.db.workerHeartbeat.count({ where: { workerId: worker.workerId } })).toBe(1);
  // And it still stops when asked (the unpatched batcher's count of pending batches went below
  // zero after a recovered failure, and stopping waited for it to reach zero).
  await worker.stop();
  worker = undefined;
  // Its own waits bound each step (up to ~190 s on a loaded machine), not the suite's 60 s default.
}, 240_000);
