import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  externalAccount,
  listLedgerTransactions,
  postLedgerTransactionsBatch,
  userWalletAccount,
  type ListLedgerTransactionsInput,
  type PostLedgerTransactionInput,
} from "./index";

// Pages filtered by user or account are read by walking each account's postings index: these
// check that the walk still gives exactly the transactions the filter means, newest first, with
// no gaps or duplicates across pages, when a user has several accounts, when one transaction
// touches two of the user's accounts or one account twice, and when other filters apply.

let database: TestDatabase;

const mpesaKes = externalAccount("mpesa", "KES");
const bankUsd = externalAccount("bank", "USD");
const pagerKes = userWalletAccount("pager", "KES");
const pagerUsd = userWalletAccount("pager", "USD");
const other = (n: number) => userWalletAccount(`pager_other_${n}`, "KES");

/** What each transaction touches, by id, to compute the expected pages independently. */
const touched = new Map<bigint, { accounts: Set<string>; kind: string }>();

function transaction(i: number): PostLedgerTransactionInput {
  const shape = i % 6;
  if (shape === 0) {
    // Both of the user's accounts in one transaction.
    return {
      idempotencyKey: `pager-${i}`,
      kind: "transfer",
      postings: [
        { account: mpesaKes, amount: -5n, currency: "KES" },
        { account: pagerKes, amount: 5n, currency: "KES" },
        { account: bankUsd, amount: -3n, currency: "USD" },
        { account: pagerUsd, amount: 3n, currency: "USD" },
      ],
    };
  }
  if (shape === 1) {
    // The same account twice in one transaction.
    return {
      idempotencyKey: `pager-${i}`,
      kind: "adjustment",
      postings: [
        { account: mpesaKes, amount: -7n, currency: "KES" },
        { account: pagerKes, amount: 4n, currency: "KES" },
        { account: pagerKes, amount: 3n, currency: "KES" },
      ],
    };
  }
  if (shape === 2) {
    return {
      idempotencyKey: `pager-${i}`,
      kind: "deposit",
      postings: [
        { account: bankUsd, amount: -2n, currency: "USD" },
        { account: pagerUsd, amount: 2n, currency: "USD" },
      ],
    };
  }
  // Someone else's deposit: interleaved noise the user's pages must skip.
  return {
    idempotencyKey: `pager-${i}`,
    kind: "deposit",
    postings: [
      { account: mpesaKes, amount: -1n, currency: "KES" },
      { account: other(i % 4), amount: 1n, currency: "KES" },
    ],
  };
}

beforeAll(async () => {
  database = await createTestDatabase();
  const inputs = Array.from({ length: 240 }, (_, i) => transaction(i));
  const results = await postLedgerTransactionsBatch(database.db, inputs);
  results.forEach((result, i) => {
    if (!result.ok) throw new Error(`posting ${i} failed`);
    touched.set(result.transaction.id, {
      accounts: new Set(inputs[i]!.postings.map((p) => p.account)),
      kind: inputs[i]!.kind,
    });
  });
});

afterAll(async () => {
  await database?.drop();
});

/** Every page of `filter`, `limit` at a time, checking each page's shape on the way. */
async function allPages(filter: ListLedgerTransactionsInput, limit: number): Promise<bigint[]> {
  const ids: bigint[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 1_000; pages++) {
    const page = await listLedgerTransactions(database.db, { ...filter, limit, cursor });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    for (const item of page.items) {
      const expectedPostings = [...(touched.get(item.id)?.accounts ?? [])];
      expect(item.postings.map((p) => p.account)).toEqual(expect.arrayContaining(expectedPostings));
      expect(item.postings.reduce((sum, p) => sum + p.amount, 0n)).toBe(0n);
    }
    ids.push(...page.items.map((item) => item.id));
    if (page.nextCursor === null) return ids;
    expect(page.items).toHaveLength(limit);
    expect(page.nextCursor).toBe(page.items[page.items.length - 1]!.id.toString());
    cursor = page.nextCursor;
  }
  throw new Error("paging did not end");
}

function expected(predicate: (t: { accounts: Set<string>; kind: string }) => boolean): bigint[] {
  return [...touched.entries()]
    .filter(([, t]) => predicate(t))
    .map(([id]) => id)
    .sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
}

const touchesUser = (t: { accounts: Set<string> }) => t.accounts.has(pagerKes) || t.accounts.has(pagerUsd);

describe("listLedgerTransactions filtered by user or account", () => {
  test.each([1, 7, 50, 200])("a user's pages of %i: every transaction once, newest first", async (limit) => {
    const want = expected(touchesUser);
    expect(want.length).toBe(120);
    expect(await allPages({ userId: "pager" }, limit)).toEqual(want);
  });

  test("a busy account's pages (the clearing account every other transaction touches)", async () => {
    expect(await allPages({ account: mpesaKes }, 9)).toEqual(expected((t) => t.accounts.has(mpesaKes)));
  });

  test("the user's pages narrowed by currency, kind, or both user and account", async () => {
    expect(await allPages({ userId: "pager", currency: "USD" }, 8)).toEqual(expected((t) => t.accounts.has(pagerUsd)));
    expect(await allPages({ userId: "pager", kind: "adjustment" }, 6)).toEqual(
      expected((t) => touchesUser(t) && t.kind === "adjustment"),
    );
    expect(await allPages({ userId: "pager", account: pagerKes }, 11)).toEqual(
      expected((t) => t.accounts.has(pagerKes)),
    );
    expect(await allPages({ account: mpesaKes, kind: "transfer" }, 5)).toEqual(
      expected((t) => t.accounts.has(mpesaKes) && t.kind === "transfer"),
    );
  });

  test("a window in time keeps the keyset order", async () => {
    const from = new Date(Date.now() - 3_600_000);
    const to = new Date(Date.now() + 3_600_000);
    expect(await allPages({ userId: "pager", from, to }, 13)).toEqual(expected(touchesUser));
    expect(await allPages({ userId: "pager", to: from }, 13)).toEqual([]);
  });

  test("a user or account with no postings has one empty page", async () => {
    expect(await listLedgerTransactions(database.db, { userId: "nobody" })).toEqual({ items: [], nextCursor: null });
    expect(await listLedgerTransactions(database.db, { account: userWalletAccount("nobody", "KES") })).toEqual({
      items: [],
      nextCursor: null,
    });
  });
});
