import { DomainError } from "@agrinet/core";
import { withPgClient } from "@agrinet/db";
import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  externalAccount,
  getAccountBalance,
  getBalanceAt,
  getUserBalances,
  postLedgerTransaction,
  userWalletAccount,
} from "./index";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});

const mpesa = externalAccount("mpesa", "KES");

function deposit(userId: string, amount: bigint, key: string) {
  return postLedgerTransaction(database.db, {
    idempotencyKey: key,
    kind: "deposit",
    metadata: { depositId: key },
    postings: [
      { account: mpesa, amount: -amount, currency: "KES" },
      { account: userWalletAccount(userId, "KES"), amount, currency: "KES" },
    ],
  });
}

describe("postLedgerTransaction", () => {
  test("posts balanced postings, creates accounts on first use and keeps running balances", async () => {
    const posted = await deposit("alice", 2_500n, "dep-alice-1");
    expect(posted.replayed).toBe(false);
    expect(posted.postings.map((p) => [p.account, p.amount, p.balanceAfter])).toEqual([
      [mpesa, -2_500n, expect.any(BigInt)],
      ["user:alice:wallet:KES", 2_500n, 2_500n],
    ]);
    const wallet = await getAccountBalance(database.db, { account: "user:alice:wallet:KES" });
    expect(wallet).toMatchObject({ posted: 2_500n, held: 0n, available: 2_500n, allowNegative: false });
    const clearing = await getAccountBalance(database.db, { account: mpesa });
    expect(clearing.allowNegative).toBe(true);
    expect(clearing.posted).toBeLessThan(0n);
    expect(await getUserBalances(database.db, { userId: "alice" })).toMatchObject([
      { account: "user:alice:wallet:KES", available: 2_500n },
    ]);
  });

  test("a replayed idempotency key returns the first result and posts nothing", async () => {
    const first = await deposit("bob", 700n, "dep-bob-1");
    const again = await deposit("bob", 700n, "dep-bob-1");
    expect(again.replayed).toBe(true);
    expect(again.id).toBe(first.id);
    expect(again.postings.map((p) => p.id)).toEqual(first.postings.map((p) => p.id));
    expect((await getAccountBalance(database.db, { account: "user:bob:wallet:KES" })).posted).toBe(700n);
    const count = await database.db.ledgerPosting.count({ where: { transactionId: first.id } });
    expect(count).toBe(2);
  });

  test("the same key with different postings is refused", async () => {
    await deposit("carol", 100n, "dep-carol-1");
    await expect(deposit("carol", 101n, "dep-carol-1")).rejects.toMatchObject({
      code: "IDEMPOTENCY_KEY_REUSED",
    });
  });

  test("an overdraft is refused with the available amount, and nothing is written", async () => {
    await deposit("dave", 300n, "dep-dave-1");
    const attempt = postLedgerTransaction(database.db, {
      idempotencyKey: "spend-dave-1",
      kind: "transfer",
      postings: [
        { account: "user:dave:wallet:KES", amount: -301n, currency: "KES" },
        { account: "user:erin:wallet:KES", amount: 301n, currency: "KES" },
      ],
    });
    await expect(attempt).rejects.toBeInstanceOf(DomainError);
    await expect(attempt).rejects.toMatchObject({
      code: "INSUFFICIENT_FUNDS",
      details: { account: "user:dave:wallet:KES", available: "300" },
    });
    expect(await database.db.ledgerTransaction.count({ where: { idempotencyKey: "spend-dave-1" } })).toBe(0);
  });

  test("an account named twice gets a running balance per posting and is checked on its net debit", async () => {
    await deposit("fay", 100n, "dep-fay-1");
    const fay = "user:fay:wallet:KES";
    const posted = await postLedgerTransaction(database.db, {
      idempotencyKey: "fay-split",
      kind: "transfer",
      postings: [
        { account: fay, amount: -150n, currency: "KES" },
        { account: "user:gus:wallet:KES", amount: 80n, currency: "KES" },
        { account: fay, amount: 70n, currency: "KES" },
      ],
    });
    expect(posted.postings.map((p) => p.balanceAfter)).toEqual([-50n, 80n, 20n]);
    expect(posted.postings[0]!.accountId).toBe(posted.postings[2]!.accountId);
    expect(await getAccountBalance(database.db, { account: fay })).toMatchObject({ posted: 20n });
    const history = await withPgClient(database.url, async (client) =>
      (await client.query("select account_version::int as v from ledger_postings where transaction_id = $1 order by id", [posted.id])).rows,
    );
    expect(history.map((r) => r.v)).toEqual([2, 1, 3]);

    // Net -21 of the 20 left: refused, naming the account once.
    await expect(postLedgerTransaction(database.db, {
      idempotencyKey: "fay-split-2",
      kind: "transfer",
      postings: [
        { account: fay, amount: 10n, currency: "KES" },
        { account: "user:gus:wallet:KES", amount: 21n, currency: "KES" },
        { account: fay, amount: -31n, currency: "KES" },
      ],
    })).rejects.toMatchObject({ code: "INSUFFICIENT_FUNDS", details: { account: fay, available: "20", required: "21" } });
  });

  test("unbalanced postings, zero amounts and currency mismatches are refused before the database", async () => {
    const base = { idempotencyKey: "bad-1", kind: "adjustment" as const };
    await expect(
      postLedgerTransaction(database.db, {
        ...base,
        postings: [
          { account: mpesa, amount: -5n, currency: "KES" },
          { account: "user:frank:wallet:KES", amount: 4n, currency: "KES" },
        ],
      }),
    ).rejects.toMatchObject({ code: "VALIDATION_FAILED", fields: [{ path: "postings" }] });
    await expect(
      postLedgerTransaction(database.db, {
        ...base,
        postings: [
          { account: mpesa, amount: 0n, currency: "KES" },
          { account: "user:frank:wallet:KES", amount: 0n, currency: "KES" },
        ],
      }),
    ).rejects.toMatchObject({ code: "VALIDATION_FAILED", fields: [{ path: "postings.0.amount" }] });
    await expect(
      postLedgerTransaction(database.db, {
        ...base,
        postings: [
          { account: mpesa, amount: -5n, currency: "USD" },
          { account: "user:frank:wallet:USD", amount: 5n, currency: "USD" },
        ],
      }),
    ).rejects.toMatchObject({ code: "VALIDATION_FAILED", fields: [{ path: "postings.0.currency" }] });
  });

  test("posts inside the caller's transaction and rolls back with it", async () => {
    await expect(
      database.db.$transaction(async (tx) => {
        await postLedgerTransaction(tx, {
          idempotencyKey: "dep-gina-rollback",
          kind: "deposit",
          postings: [
            { account: mpesa, amount: -50n, currency: "KES" },
            { account: "user:gina:wallet:KES", amount: 50n, currency: "KES" },
          ],
        });
        throw new Error("caller failed after posting");
      }),
    ).rejects.toThrow("caller failed after posting");
    expect((await getAccountBalance(database.db, { account: "user:gina:wallet:KES" })).posted).toBe(0n);
  });

  test("point-in-time balance reads the running balance as of an instant", async () => {
    await deposit("hana", 100n, "dep-hana-1");
    // A Date has whole milliseconds and the posting's time microseconds: taken at once, `between`
    // can fall in the posting's own millisecond, before it.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const between = new Date();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await deposit("hana", 50n, "dep-hana-2");
    const account = "user:hana:wallet:KES";
    expect((await getBalanceAt(database.db, { account, at: between })).posted).toBe(100n);
    expect((await getBalanceAt(database.db, { account, at: new Date() })).posted).toBe(150n);
    expect((await getBalanceAt(database.db, { account, at: new Date(0) })).posted).toBe(0n);
  });

  test("the pg path and a transaction's Prisma path read the same result", async () => {
    const input = {
      idempotencyKey: "dep-kim-paths",
      kind: "deposit" as const,
      metadata: { note: 'quote " and \\ backslash' },
      postings: [
        { account: mpesa, amount: -123n, currency: "KES" as const },
        { account: "user:kim.o@x-1:wallet:KES", amount: 100n, currency: "KES" as const },
        { account: "user:NULL:wallet:KES", amount: 23n, currency: "KES" as const },
      ],
    };
    const viaPool = await postLedgerTransaction(database.db, input);
    const viaTx = await database.db.$transaction((tx) => postLedgerTransaction(tx, input));
    expect(viaTx).toEqual({ ...viaPool, replayed: true });
    expect(viaPool.createdAt.getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect((await getAccountBalance(database.db, { account: "user:NULL:wallet:KES" })).posted).toBe(23n);
  });

  test("posts inside a transaction with the same results and errors as on the client", async () => {
    const input = {
      idempotencyKey: "dep-ivan-pg",
      kind: "deposit" as const,
      postings: [
        { account: mpesa, amount: -9_007_199_254_740_993n, currency: "KES" as const },
        { account: "user:ivan:wallet:KES", amount: 9_007_199_254_740_993n, currency: "KES" as const },
      ],
    };
    const viaTx = await database.db.$transaction((tx) => postLedgerTransaction(tx, input));
    expect(viaTx.replayed).toBe(false);
    expect(viaTx.postings[1]!.balanceAfter).toBe(9_007_199_254_740_993n);
    const viaPrisma = await postLedgerTransaction(database.db, input);
    expect(viaPrisma).toMatchObject({ replayed: true, id: viaTx.id });
    expect(viaPrisma.postings.map((p) => p.id)).toEqual(viaTx.postings.map((p) => p.id));
    const overdraft = database.db.$transaction((tx) =>
      postLedgerTransaction(tx, {
        idempotencyKey: "spend-ivan-pg",
        kind: "transfer",
        postings: [
          { account: "user:ivan:wallet:KES", amount: -9_007_199_254_740_994n, currency: "KES" },
          { account: "user:judy:wallet:KES", amount: 9_007_199_254_740_994n, currency: "KES" },
        ],
      }),
    );
    await expect(overdraft).rejects.toMatchObject({
      code: "INSUFFICIENT_FUNDS",
      details: { available: "9007199254740993" },
    });
  });
});
