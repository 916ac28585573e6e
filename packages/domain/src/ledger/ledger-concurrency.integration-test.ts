import { createDb, type Db } from "@agrinet/db";
import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { afterAll, beforeAll, expect, test } from "vitest";
import {
  externalAccount,
  getAccountBalance,
  isRetryableDatabaseError,
  postLedgerTransaction,
  userWalletAccount,
} from "./index";

let database: TestDatabase;
let db: Db;

beforeAll(async () => {
  database = await createTestDatabase();
  // Hundreds of callers queue for 32 connections: a slow (shared) machine must not fail them.
  db = createDb({ connectionString: database.url, maxConnections: 32, connectionTimeoutMillis: 300_000 });
});
afterAll(async () => {
  await db?.$disconnect();
  await database?.drop();
});

test("200 concurrent debits against a wallet funded for 50: exactly 50 succeed, never negative", async () => {
  const wallet = userWalletAccount("hot_buyer", "KES");
  await postLedgerTransaction(db, {
    idempotencyKey: "fund-hot-buyer",
    kind: "deposit",
    postings: [
      { account: externalAccount("mpesa", "KES"), amount: -5_000n, currency: "KES" },
      { account: wallet, amount: 5_000n, currency: "KES" },
    ],
  });
  const results = await Promise.allSettled(
    Array.from({ length: 200 }, (_, i) =>
      postLedgerTransaction(db, {
        idempotencyKey: `debit-${i}`,
        kind: "transfer",
        postings: [
          { account: wallet, amount: -100n, currency: "KES" },
          { account: userWalletAccount(`seller_${i % 7}`, "KES"), amount: 100n, currency: "KES" },
        ],
      }),
    ),
  );
  const succeeded = results.filter((r) => r.status === "fulfilled");
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
  expect(succeeded).toHaveLength(50);
  expect(failed.map((f) => (f.reason as { code?: string }).code)).toEqual(Array(150).fill("INSUFFICIENT_FUNDS"));
  expect(await getAccountBalance(db, { account: wallet })).toMatchObject({ posted: 0n, available: 0n });
  // Every running balance the wallet ever had was >= 0.
  const min = await db.$queryRaw<Array<{ min: bigint }>>`
    select min(p.balance_after) as min from ledger_postings p
    join ledger_accounts a on a.id = p.account_id where a.code = ${wallet}`;
  expect(min[0]!.min).toBeGreaterThanOrEqual(0n);
});

test("random concurrent transfers between 10 hot accounts: no deadlock reaches a caller, money is conserved", async () => {
  const accounts = Array.from({ length: 10 }, (_, i) => userWalletAccount(`ring_${i}`, "KES"));
  for (const account of accounts) {
    await postLedgerTransaction(db, {
      idempotencyKey: `fund-${account}`,
      kind: "deposit",
      postings: [
        { account: externalAccount("bank", "KES"), amount: -1_000_000n, currency: "KES" },
        { account, amount: 1_000_000n, currency: "KES" },
      ],
    });
  }
  let seed = 42;
  const random = (n: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed % n;
  };
  const transfers = Array.from({ length: 400 }, (_, i) => {
    const from = random(10);
    const to = (from + 1 + random(9)) % 10;
    // Multi-leg transactions lock several rows: the order they are listed in must not matter.
    const third = (to + 1 + random(8)) % 10;
    const postings =
      i % 3 === 0 && third !== from
        ? [
            { account: accounts[to]!, amount: 5n, currency: "KES" as const },
            { account: accounts[from]!, amount: -10n, currency: "KES" as const },
            { account: accounts[third]!, amount: 5n, currency: "KES" as const },
          ]
        : [
            { account: accounts[from]!, amount: -BigInt(1 + random(50)), currency: "KES" as const },
            { account: accounts[to]!, amount: 0n, currency: "KES" as const },
          ];
    if (postings.length === 2) postings[1]!.amount = -postings[0]!.amount;
    return postings;
  });
  const results = await Promise.allSettled(
    transfers.map((postings, i) =>
      db.$transaction(
        (tx) => postLedgerTransaction(tx, { idempotencyKey: `ring-${i}`, kind: "transfer", postings }),
        // 400 callers share 32 connections: waiting for one is expected here, not a failure.
        { maxWait: 60_000, timeout: 60_000 },
      ),
    ),
  );
  const errors = results.filter((r): r is PromiseRejectedResult => r.status === "rejected").map((r) => r.reason);
  expect(errors.filter(isRetryableDatabaseError)).toEqual([]);
  expect(errors).toEqual([]);
  let total = 0n;
  for (const account of accounts) total += (await getAccountBalance(db, { account })).posted;
  expect(total).toBe(10_000_000n);
});

test("concurrent replays of one idempotency key post once", async () => {
  const wallet = userWalletAccount("replay", "KES");
  const results = await Promise.all(
    Array.from({ length: 20 }, () =>
      postLedgerTransaction(db, {
        idempotencyKey: "replayed-deposit",
        kind: "deposit",
        postings: [
          { account: externalAccount("cash", "KES"), amount: -250n, currency: "KES" },
          { account: wallet, amount: 250n, currency: "KES" },
        ],
      }),
    ),
  );
  expect(new Set(results.map((r) => r.id)).size).toBe(1);
  expect(results.filter((r) => !r.replayed)).toHaveLength(1);
  expect((await getAccountBalance(db, { account: wallet })).posted).toBe(250n);
});
