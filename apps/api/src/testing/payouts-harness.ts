// A whole payout pipeline for tests and the benchmark: a database, the Daraja sandbox, the API
// (callbacks arrive over real HTTP) and, optionally, the worker in this process.
import { randomBytes } from "node:crypto";
import type { CurrencyCode } from "@agrinet/core";
import { createDb, type Db } from "@agrinet/db";
import { startDarajaSandbox, type DarajaSandbox } from "@agrinet/daraja-sandbox";
import {
  createPayoutRuntime,
  externalAccount,
  postLedgerTransaction,
  userWalletAccount,
  type RailsByDestination,
} from "@agrinet/domain";
import { createPayoutRailsFromEnv } from "@agrinet/rails";
import { appRouter, createCallerFactory, type PayoutSettings, type Principal } from "@agrinet/router";
import { startWorker, type RunningWorker } from "@agrinet/worker";
import { createTaskList } from "@agrinet/worker/tasks";
import Fastify, { type FastifyInstance } from "fastify";
import { pino } from "pino";
import app, { type AppOptions } from "../app";

const createCaller = createCallerFactory(appRouter);
export type PayoutCaller = ReturnType<typeof createCaller>;

export type PayoutHarness = {
  db: Db;
  databaseUrl: string;
  sandbox: DarajaSandbox;
  api: FastifyInstance;
  apiUrl: string;
  rails: RailsByDestination;
  /** The env a worker process needs to pay through this harness. */
  workerEnv: Record<string, string>;
  settings: PayoutSettings;
  statusCheckAfterMs: number;
  caller(principal?: Principal): PayoutCaller;
  startWorker(options?: { concurrency?: number }): Promise<RunningWorker>;
  fund(userId: string, amount: bigint, currency?: CurrencyCode): Promise<void>;
  stop(): Promise<void>;
};

export const adminPrincipal: Principal = { kind: "staff", userId: "staff_admin", email: "admin@example.test", role: "admin" };

export async function startPayoutHarness(options: {
  db: Db;
  databaseUrl: string;
  settings?: Partial<PayoutSettings>;
  statusCheckAfterMs?: number;
  /** More options for the API (load tests lift the rate limit). */
  app?: Partial<AppOptions>;
}): Promise<PayoutHarness> {
  const { db } = options;
  const settings: PayoutSettings = { minAmount: 500n, maxAttempts: 5, runWaitMs: 20_000, ...options.settings };
  const statusCheckAfterMs = options.statusCheckAfterMs ?? 2_000;
  const sandbox = await startDarajaSandbox({ port: 0, slowCallbackDelayMs: 500 });
  const token = randomBytes(18).toString("base64url");
  // Filled in once the API listens: the callback URLs need its port.
  const rails: RailsByDestination = {};
  const api = Fastify({ logger: false });
  // The API has its own pool, as in production: a flood of callbacks must not starve the test.
  const apiDb = createDb({ connectionString: options.databaseUrl, maxConnections: 30 });
  await api.register(app, {
    ...options.app,
    db: apiDb,
    expectedMigrations: [],
    payouts: { settings, rails, mpesaCallbackToken: token, statusCheckAfterMs },
  });
  await api.listen({ host: "127.0.0.1", port: 0 });
  const address = api.server.address();
  const apiUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  const workerEnv = {
    MPESA_BASE_URL: sandbox.url,
    MPESA_CONSUMER_KEY: "sandbox-consumer-key",
    MPESA_CONSUMER_SECRET: "sandbox-consumer-secret",
    MPESA_SHORTCODE: "600996",
    MPESA_INITIATOR_NAME: "agrinet-sandbox",
    MPESA_SECURITY_CREDENTIAL: "sandbox-security-credential",
    MPESA_CALLBACK_BASE_URL: `${apiUrl}/payments/mpesa`,
    MPESA_CALLBACK_TOKEN: token,
  };
  Object.assign(rails, createPayoutRailsFromEnv(workerEnv));

  const workers: RunningWorker[] = [];
  return {
    db,
    databaseUrl: options.databaseUrl,
    sandbox,
    api,
    apiUrl,
    rails,
    workerEnv,
    settings,
    statusCheckAfterMs,
    caller: (principal = adminPrincipal) =>
      createCaller({ db, requestId: "test", principal, ip: null, expectedMigrations: [], payouts: settings }),
    async startWorker(workerOptions = {}) {
      const worker = await startWorker({
        db,
        connectionString: options.databaseUrl,
        concurrency: workerOptions.concurrency ?? 8,
        heartbeatSeconds: 1,
        log: pino({ level: "silent" }),
        tasks: createTaskList({ db, payouts: createPayoutRuntime({ db, rails, statusCheckAfterMs }) }),
      });
      workers.push(worker);
      return worker;
    },
    async fund(userId, amount, currency = "KES") {
      await postLedgerTransaction(db, {
        idempotencyKey: `test-deposit:${userId}:${randomBytes(6).toString("hex")}`,
        kind: "deposit",
        postings: [
          { account: externalAccount("mpesa", currency), amount: -amount, currency },
          { account: userWalletAccount(userId, currency), amount, currency },
        ],
      });
    },
    async stop() {
      await Promise.all(workers.map((w) => w.stop().catch(() => {})));
      await api.close();
      await apiDb.$disconnect();
      await sandbox.stop();
    },
  };
}

/** Polls until `check` holds or the time is up; returns the last value either way. */
export async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!check(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  return value;
}
