// Property test: ledger_post_batch posts a batch set-based when every item would post, and item by
// item otherwise. Either way each item's result and every balance must be what posting the same
// items one at a time with postLedgerTransaction gives: insufficient funds mid-batch, replays,
// keys reused for another transfer and keys repeated within a batch included.
import fc from "fast-check";
import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { afterAll, beforeAll, expect, test } from "vitest";
import { externalAccount, postLedgerTransaction, postLedgerTransactionsBatch, userWalletAccount, verifyLedger } from "./index";
import { expectSidesAgree, fundedSides, item, outcomesOf, postOneByOne, transfersOf, type Transfer } from "./testing/batch-model";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});

const batches = fc.array(fc.array(item, { minLength: 1, maxLength: 10 }), { minLength: 1, maxLength: 4 });

let run = 0;

test("a batch gives each item the result of posting the items one by one, set-based when all post", async () => {
  let setBased = 0;
  let itemByItem = 0;
  await fc.assert(
    fc.asyncProperty(batches, async (generated) => {
      run++;
      // Side "b" posts every batch; side "s" posts the same items one at a time.
      const { account, input } = await fundedSides(database.db, `p${run}`);
      const sent: Transfer[] = [];

      for (const batch of generated) {
        const transfers = transfersOf(batch, sent);
        if (!transfers.length) continue;
        const expected = await postOneByOne(database.db, transfers.map((t) => input("s", t)));

        // Which path ran: the loop calls ledger_post_resolved once per item, the set-based path
        // never. The session's function counts only grow within a transaction, so take a difference.
        const { results, loopCalls } = await database.db.$transaction(async (tx) => {
          await tx.$executeRawUnsafe("set local track_functions = 'pl'");
          const calls = async () => {
            const [row] = await tx.$queryRaw<Array<{ calls: number }>>`
              select coalesce(sum(calls), 0)::int as calls from pg_stat_xact_user_functions
              where funcname = 'ledger_post_resolved'`;
            return row!.calls;
          };
          const before = await calls();
          const results = await postLedgerTransactionsBatch(tx, transfers.map((t) => input("b", t)));
          return { results, loopCalls: (await calls()) - before };
        });
        expect(outcomesOf(results)).toEqual(expected);

        const allFresh = expected.every((e) => e.ok && !e.replayed);
        expect(loopCalls).toBe(allFresh ? 0 : transfers.length);
        if (allFresh) setBased++;
        else itemByItem++;

        await expectSidesAgree(database.db, account);
      }
    }),
    { numRuns: 40 },
  );
  // Both paths ran, or the comparison proved nothing about one of them.
  expect(setBased).toBeGreaterThan(0);
  expect(itemByItem).toBeGreaterThan(0);
  const report = await verifyLedger(database.db);
  expect(report.checks.filter((c) => c.violations > 0)).toEqual([]);
});

test("a batch of 200 fresh transfers posts set-based with running balances in item order", async () => {
  const account = (u: number) => userWalletAccount(`big_u${u}`, "KES");
  await postLedgerTransactionsBatch(database.db, Array.from({ length: 10 }, (_, u) => ({
    idempotencyKey: `big-fund-${u}`,
    kind: "deposit" as const,
    postings: [
      { account: externalAccount("stripe", "KES"), amount: -1_000n, currency: "KES" as const },
      { account: account(u), amount: 1_000n, currency: "KES" as const },
    ],
  })));
  const items = Array.from({ length: 200 }, (_, i) => ({
    idempotencyKey: `big-${i}`,
    kind: "transfer" as const,
    postings: [
      { account: account(i % 10), amount: -BigInt(i + 1), currency: "KES" as const },
      { account: account((i * 7 + 3) % 10 === i % 10 ? (i + 1) % 10 : (i * 7 + 3) % 10), amount: BigInt(i + 1), currency: "KES" as const },
    ],
  }));
  const results = await postLedgerTransactionsBatch(database.db, items);
  const running = new Map<string, bigint>(Array.from({ length: 10 }, (_, u) => [account(u), 1_000n]));
  results.forEach((result, i) => {
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.transaction.replayed).toBe(false);
    items[i]!.postings.forEach((posting, p) => {
      running.set(posting.account, running.get(posting.account)! + posting.amount);
      expect(result.transaction.postings[p]!.balanceAfter).toBe(running.get(posting.account));
    });
  });
  const ids = results.map((r) => (r.ok ? r.transaction.id : 0n));
  expect([...ids].sort((a, b) => (a < b ? -1 : 1))).toEqual(ids);
  const report = await verifyLedger(database.db);
  expect(report.checks.filter((c) => c.violations > 0)).toEqual([]);
});

test("an overdraft mid-batch fails that item only, even when a later item would cover it", async () => {
  const account = (name: string) => userWalletAccount(`mid_${name}`, "KES");
  const transfer = (key: string, from: string, to: string, amount: bigint) => ({
    idempotencyKey: `mid-${key}`,
    kind: "transfer" as const,
    postings: [
      { account: account(from), amount: -amount, currency: "KES" as const },
      { account: account(to), amount, currency: "KES" as const },
    ],
  });
  for (const name of ["a", "c"]) {
    await postLedgerTransaction(database.db, {
      idempotencyKey: `mid-fund-${name}`,
      kind: "deposit",
      postings: [
        { account: externalAccount("stripe", "KES"), amount: -100n, currency: "KES" },
        { account: account(name), amount: 100n, currency: "KES" },
      ],
    });
  }
  const results = await postLedgerTransactionsBatch(database.db, [
    transfer("1", "a", "b", 80n),
    transfer("2", "a", "b", 80n),
    transfer("3", "c", "a", 100n),
    transfer("4", "a", "b", 80n),
  ]);
  expect(results.map((r) => (r.ok ? r.transaction.postings.map((p) => p.balanceAfter) : r.error.code))).toEqual([
    [20n, 80n],
    "INSUFFICIENT_FUNDS",
    [0n, 120n],
    [40n, 160n],
  ]);
});

test("through the pool and inside a transaction, a batch reads the same results, errors and details", async () => {
  const wallet = userWalletAccount("paths_a", "KES");
  const deposit = (key: string, amount: bigint) => ({
    idempotencyKey: key,
    kind: "deposit" as const,
    metadata: { contractId: "contract_paths", note: 'quote " and \\ backslash' },
    postings: [
      { account: externalAccount("bank", "KES"), amount: -amount, currency: "KES" as const },
      { account: wallet, amount, currency: "KES" as const },
    ],
  });
  const items = [
    deposit("paths-1", 50n),
    {
      idempotencyKey: "paths-2",
      kind: "transfer" as const,
      postings: [
        { account: wallet, amount: -80n, currency: "KES" as const },
        { account: userWalletAccount("NULL", "KES"), amount: 80n, currency: "KES" as const },
      ],
    },
    deposit("paths-1", 51n),
    deposit("paths-1", 50n),
  ];
  const describe = (results: Awaited<ReturnType<typeof postLedgerTransactionsBatch>>) =>
    results.map((r) => (r.ok ? { ...r.transaction, replayed: undefined } : { code: r.error.code, details: r.error.details }));
  const viaPool = await postLedgerTransactionsBatch(database.db, items);
  expect(viaPool.map((r) => (r.ok ? r.transaction.replayed : r.error.code))).toEqual([
    false, "INSUFFICIENT_FUNDS", "IDEMPOTENCY_KEY_REUSED", true,
  ]);
  expect(viaPool[1]).toMatchObject({ error: { details: { account: wallet, available: "50", required: "80" } } });
  const viaTx = await database.db.$transaction((tx) => postLedgerTransactionsBatch(tx, items));
  expect(describe(viaTx)).toEqual(describe(viaPool));
});
