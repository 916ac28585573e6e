// Issue #23 row 2: partner webhook URLs cannot point inside the network, neither when saved nor
// when delivered (a DNS name may change), and the delivery log does not echo internal errors.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { emitDomainEvent } from "../events/emit-domain-event";
import { attemptWebhookDelivery } from "./webhook-deliveries";
import { registerWebhookEndpoint, subscribePartnerToUser } from "./webhook-endpoints";

let database: TestDatabase;
let receiver: Server;
let receiverPort: number;
let hits = 0;

beforeAll(async () => {
  database = await createTestDatabase();
  receiver = createServer((_req, res) => {
    hits++;
    res.writeHead(200).end();
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverPort = (receiver.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => receiver?.close(resolve));
  await database?.drop();
});

describe("registration", () => {
  test.each([
    "http://127.0.0.1:4010/hook",
    "http://127.0.0.1:5432/",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.8/hook",
    "http://192.168.1.1/hook",
    "http://[::1]:4000/hook",
    "http://[fd00::1]/hook",
    "http://[fe80::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://0.0.0.0:4000/",
    "http://localhost:4000/hook",
  ])("refuses %s with a 400 naming url", async (url) => {
    await expect(registerWebhookEndpoint({ db: database.db, partnerKeyId: "key-ssrf", url, eventTypes: [] })).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      fields: [{ path: "url" }],
    });
  });

  test("accepts loopback only when private addresses are explicitly allowed (tests, local development)", async () => {
    const { endpoint } = await registerWebhookEndpoint({
      db: database.db,
      partnerKeyId: "key-ssrf",
      url: `http://127.0.0.1:${receiverPort}/ok`,
      eventTypes: [],
      allowPrivateAddresses: true,
    });
    expect(endpoint.url).toContain("127.0.0.1");
  });
});

async function pendingDeliveryTo(url: string, name: string): Promise<bigint> {
  // Saved before this check existed, or a name that resolved elsewhere when it was saved.
  const endpoint = await database.db.webhookEndpoint.create({
    data: { partnerKeyId: `key-${name}`, url, eventTypes: [], secret: "whsec_test" },
  });
  await subscribePartnerToUser({ db: database.db, partnerKeyId: `key-${name}`, userId: `user-${name}` });
  const eventId = await database.db.$transaction((tx) =>
    emitDomainEvent(tx, { type: "payout.paid", aggregateType: "payout", aggregateId: `p-${name}`, userIds: [`user-${name}`], payload: {} }),
  );
  const delivery = await database.db.webhookDelivery.create({ data: { endpointId: endpoint.id, eventId } });
  return delivery.id;
}

describe("delivery", () => {
  test("an endpoint that points at loopback is not contacted and fails for good", async () => {
    const before = hits;
    const deliveryId = await pendingDeliveryTo(`http://127.0.0.1:${receiverPort}/inside`, "inside");
    const outcome = await attemptWebhookDelivery({ db: database.db, deliveryId });
    expect(outcome.outcome).toBe("failed");
    expect(hits).toBe(before);
    const stored = await database.db.webhookDelivery.findUniqueOrThrow({ where: { id: deliveryId }, include: { attemptsLog: true } });
    expect(stored.status).toBe("failed");
    expect(stored.lastError).toBe("destination address not allowed");
  });

  test("a name that resolves to loopback is refused when connecting", async () => {
    const before = hits;
    const deliveryId = await pendingDeliveryTo(`http://localhost:${receiverPort}/by-name`, "by-name");
    expect((await attemptWebhookDelivery({ db: database.db, deliveryId })).outcome).toBe("failed");
    expect(hits).toBe(before);
  });

  test("network errors are logged as a category, never the system's own text", async () => {
    const closed = await new Promise<number>((resolve) => {
      const probe = createServer();
      probe.listen(0, "127.0.0.1", () => {
        const port = (probe.address() as AddressInfo).port;
        probe.close(() => resolve(port));
      });
    });
    const deliveryId = await pendingDeliveryTo(`http://127.0.0.1:${closed}/closed`, "closed");
    const outcome = await attemptWebhookDelivery({ db: database.db, deliveryId, allowPrivateAddresses: true });
    expect(outcome).toMatchObject({ outcome: "retry", statusCode: null, error: "connection failed" });
    const stored = await database.db.webhookDeliveryAttempt.findFirstOrThrow({ where: { deliveryId } });
    expect(stored.error).toBe("connection failed");
  });

  test("with private addresses allowed, a loopback receiver is delivered to", async () => {
    const before = hits;
    const deliveryId = await pendingDeliveryTo(`http://127.0.0.1:${receiverPort}/allowed`, "allowed");
    expect(await attemptWebhookDelivery({ db: database.db, deliveryId, allowPrivateAddresses: true })).toEqual({ outcome: "succeeded", statusCode: 200 });
    expect(hits).toBe(before + 1);
  });
});
