import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { webhookDeliveryJobKey } from "@agrinet/job-queue";
import { listJobs } from "@agrinet/job-queue/testing";
import {
  createPayoutRuntime,
  emitDomainEvent,
  redeliverWebhook,
  registerWebhookEndpoint,
  subscribePartnerToUser,
  verifyWebhookSignature,
  webhookSignatureHeader,
} from "@agrinet/domain";
import { pino } from "pino";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createTaskList } from "./tasks";
import { startWorker, type RunningWorker } from "./worker";

type Received = { path: string; body: string; signature: string };

let database: TestDatabase;
let worker: RunningWorker;
let receiver: Server;
let receiverUrl: string;
const received: Received[] = [];
/** Status codes each path answers, in turn; the last one repeats. */
const script = new Map<string, number[]>();

beforeAll(async () => {
  database = await createTestDatabase();
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const path = req.url ?? "/";
      received.push({
        path,
        body: Buffer.concat(chunks).toString("utf8"),
        signature: String(req.headers[webhookSignatureHeader] ?? ""),
      });
      const statuses = script.get(path) ?? [200];
      const status = statuses.length > 1 ? statuses.shift()! : statuses[0]!;
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  worker = await startWorker({
    db: database.db,
    connectionString: database.url,
    concurrency: 2,
    heartbeatSeconds: 5,
    dispatchIntervalMs: 200,
    log: pino({ level: "silent" }),
    // No payout rails: this test only delivers webhooks.
    // The receiver is on loopback, which production refuses (issue #23 row 2).
    tasks: createTaskList({
      db: database.db,
      payouts: createPayoutRuntime({ db: database.db, rails: {}, statusCheckAfterMs: 60_000 }),
      webhookAllowPrivateAddresses: true,
    }),
  });
});

afterAll(async () => {
  await worker?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
  await database?.drop();
});

async function waitFor<T>(read: () => Promise<T | null | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function setUp(name: string, statuses: number[]) {
  script.set(`/${name}`, statuses);
  const partnerKeyId = `key-${name}`;
  await subscribePartnerToUser({ db: database.db, partnerKeyId, userId: `farmer-${name}` });
  const { endpoint, secret } = await registerWebhookEndpoint({
    db: database.db,
    partnerKeyId,
    url: `${receiverUrl}/${name}`,
    eventTypes: ["payout.paid"],
    allowPrivateAddresses: true,
  });
  const eventId = await database.db.$transaction((tx) =>
    emitDomainEvent(tx, {
      type: "payout.paid",
      aggregateType: "payout",
      aggregateId: `payout-${name}`,
      userIds: [`farmer-${name}`],
      payload: { amount: 250_000n, currency: "KES", userId: `farmer-${name}` },
    }),
  );
  return { partnerKeyId, endpoint, secret, eventId };
}

const settled = (endpointId: string) =>
  waitFor(() =>
    database.db.webhookDelivery.findFirst({
      where: { endpointId, status: { not: "pending" } },
      include: { attemptsLog: { orderBy: { id: "asc" } } },
    }),
  );

test("a receiver gets a signed payout.paid that verifies with the secret shown once", async () => {
  const { endpoint, secret, eventId } = await setUp("signed", [200]);
  const delivery = await settled(endpoint.id);
  expect(delivery.status).toBe("succeeded");
  const hit = received.find((r) => r.path === "/signed")!;
  expect(verifyWebhookSignature({ header: hit.signature, body: hit.body, secret })).toBe(true);
  expect(verifyWebhookSignature({ header: hit.signature, body: hit.body, secret: "whsec_wrong" })).toBe(false);
  expect(JSON.parse(hit.body)).toMatchObject({
    id: eventId.toString(),
    type: "payout.paid",
    aggregateId: "payout-signed",
    data: { amount: "250000", currency: "KES" },
  });
});

test("a 500 is retried with backoff until the receiver accepts", async () => {
  const { endpoint } = await setUp("flaky", [500, 200]);
  const delivery = await settled(endpoint.id);
  expect(delivery.status).toBe("succeeded");
  expect(delivery.attempts).toBe(2);
  expect(delivery.attemptsLog.map((a) => a.statusCode)).toEqual([500, 200]);
});

test("a 400 stops at once, and a manual redeliver sends it again", async () => {
  const { endpoint, partnerKeyId } = await setUp("refusing", [400, 200]);
  const delivery = await settled(endpoint.id);
  expect(delivery.status).toBe("failed");
  expect(delivery.attempts).toBe(1);
  // No job is left to try again.
  expect(await listJobs(database.db.$pool, { key: webhookDeliveryJobKey(delivery.id) })).toEqual([]);

  await redeliverWebhook({ db: database.db, partnerKeyId, deliveryId: delivery.id });
  const again = await settled(endpoint.id);
  expect(again.status).toBe("succeeded");
  expect(again.attemptsLog.map((a) => a.statusCode)).toEqual([400, 200]);
  expect(received.filter((r) => r.path === "/refusing")).toHaveLength(2);
});
