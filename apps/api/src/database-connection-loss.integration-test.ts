// The failover drill's outage (deploy/, `pnpm test:failover`) on the embedded PostgreSQL: the API
// reaches the database through a proxy that cuts every connection as HAProxy does when Patroni's
// primary dies, refuses new ones while no node is primary, and PostgreSQL itself terminates the
// sessions (as a dying postmaster's backends do) and, for a moment, accepts only read-only ones
// (a standby not yet promoted). Under a steady load of deposits, confirmations and payouts, each
// answer must be a success or a 503 the partner can retry: never a 500.
import { randomUUID } from "node:crypto";
import { withPgClient } from "@agrinet/db/migrate";
import { createTestDatabase, startTcpProxy, type TcpProxy, type TestDatabase } from "@agrinet/db/testing";
import { recordWorkerHeartbeat } from "@agrinet/domain";
import { afterAll, beforeAll, expect, test } from "vitest";
import { devAuthSettings } from "./auth/settings";
import { createTestCredentials, type Headers } from "./testing/credentials";
import { eventually, startPayoutHarness, type PayoutHarness } from "./testing/payouts-harness";

let database: TestDatabase;
let proxy: TcpProxy;
let harness: PayoutHarness;

beforeAll(async () => {
  database = await createTestDatabase();
  const target = new URL(database.url);
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) });
  harness = await startPayoutHarness({ db: database.db, databaseUrl: proxy.url(database.url), app: { rateLimitPerMinute: 1_000_000 } });
});

afterAll(async () => {
  await harness?.stop();
  await proxy?.close();
  await database?.drop();
});

type Outcome = { kind: "deposit" | "confirm" | "payout"; status: number; code?: string; at: number };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every session on the test database but the caller's, as a dying postmaster's backends end. */
async function terminateSessions() {
  await withPgClient(database.url, (client) =>
    client.query("select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()"),
  );
}

/** From another database: a session on this one could not undo it. */
async function setReadOnly(readOnly: boolean) {
  const admin = new URL(database.url);
  admin.pathname = "/postgres";
  await withPgClient(admin.toString(), (client) =>
    client.query(`alter database ${database.name} ${readOnly ? "set default_transaction_read_only = on" : "reset default_transaction_read_only"}`),
  );
}

test("connections cut (FIN, RST), refused, terminated by PostgreSQL or read-only under load → every answer a 200 or a 503 SERVICE_UNAVAILABLE, never a 500", async () => {
  const credentials = createTestCredentials({ fastify: harness.api, db: database.db });
  const partner = await credentials.partner(["deposits:write", "payouts:write"]);
  const operator: Headers = { ...(await credentials.staff("operator")), origin: devAuthSettings.trustedOrigins[0]! };
  const producers = Array.from({ length: 4 }, (_, i) => `user_outage_producer_${i}`);
  for (const producer of producers) await harness.fund(producer, 100_000_000n);

  const outcomes: Outcome[] = [];
  let running = true;
  const post = async (kind: Outcome["kind"], path: string, body: unknown, as: Headers) => {
    const response = await fetch(`${harness.apiUrl}${path}`, {
      method: "POST",
      headers: { ...as, "content-type": "application/json", "idempotency-key": randomUUID() },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const json = (await response.json().catch(() => ({}))) as { id?: string; error?: { code: string } };
    outcomes.push({ kind, status: response.status, code: json.error?.code, at: Date.now() });
    return { status: response.status, id: json.id };
  };

  // Payouts are refused while no worker beats (WORKER_OFFLINE); this test is about the API.
  const beat = () => recordWorkerHeartbeat({ db: database.db, workerId: "outage-test/worker", hostname: "test", pid: process.pid });
  await beat();
  const heartbeat = setInterval(() => void beat().catch(() => {}), 500);

  async function depositClient(n: number) {
    const unconfirmed: string[] = [];
    for (let i = 0; running; i++) {
      const created = await post("deposit", "/deposit", { userId: `user_outage_${n}`, amount: 1000, currency: "KES", method: "bank", reference: `OUTAGE-${n}-${i}`, metadata: {} }, partner);
      if (created.status === 200 && created.id) unconfirmed.push(created.id);
      const depositId = unconfirmed.shift();
      if (depositId) {
        const confirmed = await post("confirm", `/deposit/${depositId}/confirm`, { evidenceUrl: `https://bank.example/${depositId}` }, operator);
        if (confirmed.status === 503) unconfirmed.push(depositId);
      }
      if (created.status >= 500) await sleep(20);
    }
  }
  async function payoutClient(n: number) {
    for (let i = 0; running; i++) {
      const created = await post(
        "payout",
        "/payouts",
        { userId: producers[(n + i) % producers.length], amount: 1000, currency: "KES", destination: { type: "mpesa", account: `+2547${String(10_000_000 + n * 100_000 + i).padStart(8, "0")}` } },
        partner,
      );
      if (created.status >= 500) await sleep(20);
    }
  }
  const load = Promise.all([...Array.from({ length: 4 }, (_, n) => depositClient(n)), ...Array.from({ length: 2 }, (_, n) => payoutClient(n))]);

  /** Lets the load run until `count` more writes have been acknowledged. */
  const acknowledgedAfter = async (count: number) => {
    const since = Date.now();
    await eventually(async () => outcomes.filter((o) => o.status === 200 && o.at > since).length, (n) => n >= count, 60_000);
  };

  const outages = [
    // HAProxy marks the dead primary down: every session closed, no server until the promotion.
    async () => {
      proxy.refuse(true);
      proxy.cut("close");
      await sleep(1_000);
      proxy.refuse(false);
    },
    async () => {
      proxy.refuse(true);
      proxy.cut("reset");
      await sleep(1_000);
      proxy.refuse(false);
    },
    // The dying postmaster's backends end their sessions ("terminating connection due to ...").
    async () => {
      await terminateSessions();
    },
    // A node still in recovery answers: sessions open, every write refused (25006).
    async () => {
      await setReadOnly(true);
      await terminateSessions();
      await sleep(1_000);
      await setReadOnly(false);
      await terminateSessions();
    },
  ];
  await acknowledgedAfter(20);
  for (let round = 0; round < 2; round++) {
    for (const outage of outages) {
      await outage();
      await acknowledgedAfter(10);
    }
  }
  running = false;
  await load;
  clearInterval(heartbeat);

  const byStatus: Record<string, number> = {};
  for (const o of outcomes) {
    const key = `${o.kind} ${o.status}${o.code ? ` ${o.code}` : ""}`;
    byStatus[key] = (byStatus[key] ?? 0) + 1;
  }
  // A confirmation retried after a 503 may find its first attempt committed (409).
  const unexpected = outcomes.filter((o) => !(o.status === 200 || (o.status === 503 && o.code === "SERVICE_UNAVAILABLE") || (o.kind === "confirm" && o.status === 409)));
  expect(unexpected, JSON.stringify(byStatus)).toEqual([]);
  expect(outcomes.filter((o) => o.status === 503).length, JSON.stringify(byStatus)).toBeGreaterThan(0);
});
