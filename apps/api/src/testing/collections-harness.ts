// M-Pesa collections end to end for tests and the benchmark: the Daraja sandbox (a real Daraja
// client talks to it), the API listening on a real port (callbacks arrive over HTTP), and a
// caller for the procedures with the API's deposit settings.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDb, type Db } from "@agrinet/db";
import { freePort } from "@agrinet/db/embedded";
import { startDarajaSandbox, type DarajaSandbox, type DarajaSandboxOptions } from "@agrinet/daraja-sandbox";
import {
  type C2bSettings,
  type MpesaCollectionsClient,
  type MpesaCollectionsSettings,
} from "@agrinet/domain";
import { createMpesaCollectionsFromEnv } from "@agrinet/rails";
import { appRouter, createCallerFactory, type Principal } from "@agrinet/router";
import Fastify, { type FastifyInstance } from "fastify";
import app from "../app";
import { startApiProcess, type ApiProcess } from "./api-processes";

const createCaller = createCallerFactory(appRouter);
export type CollectionsCaller = ReturnType<typeof createCaller>;

export const collectionsAdmin: Principal = { kind: "staff", userId: "staff_admin", email: "admin@example.test", role: "admin" };

export type CollectionsHarness = {
  db: Db;
  sandbox: DarajaSandbox;
  /** The API in this process (not with `apiProcess`). */
  api: FastifyInstance;
  apiUrl: string;
  /** The API's process when it runs as one (`apiProcess`). */
  apiProcess(): ApiProcess | undefined;
  settings: MpesaCollectionsSettings;
  c2b: C2bSettings;
  /** The env a process needs to collect through this harness. */
  env: Record<string, string>;
  caller(principal?: Principal): CollectionsCaller;
  /**
   * Stops the API and starts a new one on the same port: as its own process (`apiProcess`), a
   * SIGKILL (no request, transaction or batch gets to finish); in this process, a close (in-flight
   * callbacks fail).
   */
  restartApi(downMs?: number): Promise<void>;
  stop(): Promise<void>;
};

export async function startCollectionsHarness(options: {
  db: Db;
  databaseUrl: string;
  stkTimeoutMs?: number;
  stkMaxQueries?: number;
  c2b?: Partial<C2bSettings>;
  sandbox?: DarajaSandboxOptions;
  /**
   * The callbacks' API as its own process (the real server program, apps/api/src/server.ts), so a
   * test can kill it; the procedures still run in this process through `caller`.
   */
  apiProcess?: boolean;
}): Promise<CollectionsHarness> {
  const passkey = "sandbox-passkey";
  const sandbox = await startDarajaSandbox({ port: 0, slowCallbackDelayMs: 300, stkPasskey: passkey, ...options.sandbox });
  const token = randomBytes(18).toString("base64url").replace(/sql|cmd|exec|query|mpesa/gi, "x");
  // The client's callback URLs need the API's port, known once it listens: calls go through this.
  const bound: { client?: MpesaCollectionsClient } = {};
  const late: MpesaCollectionsClient = {
    get c2bShortcode() {
      return bound.client!.c2bShortcode;
    },
    stkPush: (request) => bound.client!.stkPush(request),
    stkQuery: (id) => bound.client!.stkQuery(id),
    registerC2bUrls: () => bound.client!.registerC2bUrls(),
    reverse: (request) => bound.client!.reverse(request),
  };
  const settings: MpesaCollectionsSettings = {
    client: late,
    stkTimeoutMs: options.stkTimeoutMs ?? 60_000,
    stkMaxQueries: options.stkMaxQueries ?? 4,
  };
  const c2b: C2bSettings = { minAmount: 1000n, currency: "KES", unknownAccounts: "reject", ...options.c2b };
  const apiDb = createDb({ connectionString: options.databaseUrl, maxConnections: 20 });
  const startApi = async (port: number) => {
    const instance = Fastify({ logger: false, forceCloseConnections: true });
    await instance.register(app, { db: apiDb, expectedMigrations: [], collections: { settings, c2b, callbackToken: token } });
    await instance.listen({ host: "127.0.0.1", port });
    return instance;
  };
  let api: FastifyInstance | undefined;
  let child: ApiProcess | undefined;
  let uploadsDir: string | undefined;
  let apiPort: number;
  if (options.apiProcess) {
    apiPort = await freePort();
    uploadsDir = await mkdtemp(join(tmpdir(), "agrinet-collections-uploads-"));
  } else {
    api = await startApi(0);
    const address = api.server.address();
    apiPort = typeof address === "object" && address ? address.port : 0;
  }
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const env = {
    MPESA_BASE_URL: sandbox.url,
    MPESA_CONSUMER_KEY: "sandbox-consumer-key",
    MPESA_CONSUMER_SECRET: "sandbox-consumer-secret",
    MPESA_SHORTCODE: "600996",
    MPESA_INITIATOR_NAME: "agrinet-sandbox",
    MPESA_SECURITY_CREDENTIAL: "sandbox-security-credential",
    MPESA_CALLBACK_BASE_URL: `${apiUrl}/payments/mpesa`,
    MPESA_CALLBACK_TOKEN: token,
    MPESA_STK_PASSKEY: passkey,
  };
  bound.client = createMpesaCollectionsFromEnv({ ...env, MPESA_STK_TIMEOUT_SECONDS: 1, MPESA_STK_MAX_QUERIES: 1 })!.client;
  const startChild = () =>
    startApiProcess(
      {
        ...env,
        DATABASE_URL: options.databaseUrl,
        UPLOADS_DIR: uploadsDir!,
        MPESA_STK_TIMEOUT_SECONDS: String(Math.max(1, Math.round(settings.stkTimeoutMs / 1000))),
        MPESA_STK_MAX_QUERIES: String(settings.stkMaxQueries),
      },
      { port: apiPort },
    );
  if (options.apiProcess) child = await startChild();
  const registered = await late.registerC2bUrls();
  if (!registered.ok) throw new Error(`C2B registration failed: ${registered.message}`);

  return {
    db: options.db,
    sandbox,
    get api() {
      if (!api) throw new Error("the API runs as its own process here: send requests to apiUrl");
      return api;
    },
    apiProcess: () => child,
    apiUrl,
    settings,
    c2b,
    env,
    caller: (principal = collectionsAdmin) =>
      createCaller({
        db: options.db,
        requestId: "test",
        principal,
        ip: "127.0.0.1",
        expectedMigrations: [],
        deposits: { minAmount: 1000n, partnerConfirm: false, chargeStripe: null, mpesa: { ...settings, c2b } },
      }),
    async restartApi(downMs = 500) {
      if (child) {
        const exited = new Promise((resolve) => child!.child.once("exit", resolve));
        child.child.kill("SIGKILL");
        await exited;
      } else {
        await api!.close();
      }
      await new Promise((resolve) => setTimeout(resolve, downMs));
      if (child) child = await startChild();
      else api = await startApi(apiPort);
    },
    async stop() {
      if (child && child.child.exitCode === null && child.child.signalCode === null) {
        const exited = new Promise((resolve) => child!.child.once("exit", resolve));
        child.child.kill("SIGTERM");
        await exited;
      }
      await api?.close();
      await apiDb.$disconnect();
      await sandbox.stop();
      if (uploadsDir) await rm(uploadsDir, { recursive: true, force: true });
    },
  };
}

/** Polls until `read` gives a value, failing after `timeoutMs`. */
export async function eventually<T>(read: () => Promise<T | undefined | null | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
