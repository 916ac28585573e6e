// Scenario 1: a thousand concurrent POST /payouts against a wallet funded for a hundred.
import { randomUUID } from "node:crypto";
import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { getAccountBalance, userWalletAccount } from "@agrinet/domain";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createTestCredentials } from "../testing/credentials";
import { startPayoutHarness, type PayoutHarness } from "../testing/payouts-harness";
import { reportScenario, scaled } from "../testing/reliability";

let database: TestDatabase;
let harness: PayoutHarness;

beforeAll(async () => {
  database = await createTestDatabase();
  harness = await startPayoutHarness({ db: database.db, databaseUrl: database.url, app: { rateLimitPerMinute: 1_000_000 },
  });
  // Payouts are refused while no worker is alive; this one only beats (no run is started).
  await harness.startWorker({ concurrency: 1 });
});

afterAll(async () => {
  await harness?.stop();
  await database?.drop();
});

test("1,000 concurrent payouts over HTTP against a wallet funded for 100 → exactly 100 queued", async () => {
  const requests = scaled(1000, 20);
  const affordable = requests / 10;
  const amount = 1000n;
  const userId = "user_payout_race";
  await harness.fund(userId, amount * BigInt(affordable));
  const headers = await createTestCredentials({ fastify: harness.api, db: database.db }).partner(["payouts:write"]);

  // Each client retries a 503 (the database was too busy to start its transaction) with the same
  // Idempotency-Key, as a partner would; a 500 is never acceptable.
  let unavailable = 0;
  const responses = await Promise.all(
    Array.from({ length: requests }, async () => {
      const key = randomUUID();
      for (let attempt = 0; ; attempt++) {
        const response = await harness.api.inject({
          method: "POST",
          url: "/payouts",
          headers: { ...headers, "idempotency-key": key },
          payload: { userId, amount: Number(amount), currency: "KES", destination: { type: "mpesa", account: "+254712345678" } },
        });
        // 409 IDEMPOTENCY_KEY_IN_USE: an earlier attempt's key could not be released while the
        // database was swamped; it is retried too, as the error says (Retry-After), until the API's
        // background retry frees the key.
        const code = response.statusCode >= 400 ? (response.json() as { error: { code: string } }).error.code : null;
        if (response.statusCode !== 503 && code !== "IDEMPOTENCY_KEY_IN_USE") return response;
        if (response.statusCode === 503) expect(code).toBe("SERVICE_UNAVAILABLE");
        unavailable++;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(10_000, 500 * 2 ** attempt)));
      }
    }),
  );

  const byStatus = new Map<number, number>();
  for (const r of responses) byStatus.set(r.statusCode, (byStatus.get(r.statusCode) ?? 0) + 1);
  expect(Object.fromEntries(byStatus)).toEqual({ 200: affordable, 400: requests - affordable });
  const queued = responses.filter((r) => r.statusCode === 200).map((r) => r.json());
  expect(queued.every((p) => p.status === "queued")).toBe(true);
  expect(new Set(queued.map((p) => p.id)).size).toBe(affordable);
  const refusals = responses.filter((r) => r.statusCode === 400).map((r) => r.json().error.code);
  expect(new Set(refusals)).toEqual(new Set(["INSUFFICIENT_FUNDS"]));

  // The database agrees with the answers: 100 payouts, 100 pending holds, nothing left to spend.
  expect(await database.db.payout.count({ where: { userId, status: "queued" } })).toBe(affordable);
  expect(await database.db.payout.count({ where: { userId } })).toBe(affordable);
  const wallet = await getAccountBalance(database.db, { account: userWalletAccount(userId, "KES") });
  expect(wallet).toMatchObject({ posted: amount * BigInt(affordable), held: amount * BigInt(affordable), available: 0n });

  await reportScenario(
    "scenario 1 (concurrent payouts)",
    database.db,
    `${requests} requests, ${affordable} queued, ${refusals.length} INSUFFICIENT_FUNDS (${unavailable} 503 or key-in-use answers retried)`,
  );
});
