import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { withPgClient } from "@agrinet/db";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  contractEscrowAccount,
  externalAccount,
  getAccountBalance,
  listLedgerTransactions,
  payoutsInFlightAccount,
  postLedgerTransaction,
  postLedgerTransactionsBatch,
  userWalletAccount,
  verifyLedger,
} from "./index";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});

const mpesa = externalAccount("mpesa", "KES");
const depositPostings = (userId: string, amount: bigint) => [
  { account: mpesa, amount: -amount, currency: "KES" as const },
  { account: userWalletAccount(userId, "KES"), amount, currency: "KES" as const },
];

describe("postLedgerTransactionsBatch", () => {
  test("posts many transactions in one call with a result per item", async () => {
    const results = await postLedgerTransactionsBatch(database.db, [
      { idempotencyKey: "b-1", kind: "deposit", postings: depositPostings("batch_a", 100n) },
      {
        idempotencyKey: "b-2",
        kind: "transfer",
        postings: [
          { account: userWalletAccount("batch_a", "KES"), amount: -60n, currency: "KES" },
          { account: userWalletAccount("batch_b", "KES"), amount: 60n, currency: "KES" },
        ],
      },
      // overdraft: fails alone
      {
        idempotencyKey: "b-3",
        kind: "transfer",
        postings: [
          { account: userWalletAccount("batch_a", "KES"), amount: -41n, currency: "KES" },
          { account: userWalletAccount("batch_b", "KES"), amount: 41n, currency: "KES" },
        ],
      },
      // invalid: never reaches the database
      { idempotencyKey: "b-4", kind: "transfer", postings: depositPostings("batch_a", 0n) },
      // same key as item 1, same request: a replay
      { idempotencyKey: "b-1", kind: "deposit", postings: depositPostings("batch_a", 100n) },
      // same key as item 1, different request
      { idempotencyKey: "b-1", kind: "deposit", postings: depositPostings("batch_a", 5n) },
      { idempotencyKey: "b-5", kind: "deposit", postings: depositPostings("batch_c", 7n) },
    ]);
    expect(results.map((r) => (r.ok ? (r.transaction.replayed ? "replayed" : "posted") : r.error.code))).toEqual([
      "posted",
      "posted",
      "INSUFFICIENT_FUNDS",
      "VALIDATION_FAILED",
      "replayed",
      "IDEMPOTENCY_KEY_REUSED",
      "posted",
    ]);
    const failed = results[2]!;
    expect(!failed.ok && failed.error.details).toMatchObject({ available: "40" });
    expect((await getAccountBalance(database.db, { account: userWalletAccount("batch_a", "KES") })).posted).toBe(40n);
    expect((await getAccountBalance(database.db, { account: userWalletAccount("batch_b", "KES") })).posted).toBe(60n);
    expect((await getAccountBalance(database.db, { account: userWalletAccount("batch_c", "KES") })).posted).toBe(7n);
    const first = results[0]!;
    const replay = results[4]!;
    expect(first.ok && replay.ok && replay.transaction.id === first.transaction.id).toBe(true);
  });
});

describe("listLedgerTransactions", () => {
  test("filters and pages by cursor, each item with its postings; users see only their own", async () => {
    for (let i = 0; i < 5; i++) {
      await postLedgerTransaction(database.db, {
        idempotencyKey: `list-dep-${i}`,
        kind: "deposit",
        metadata: { depositId: `dep_${i}` },
        postings: depositPostings("lister", 10n),
      });
    }
    await postLedgerTransaction(database.db, {
      idempotencyKey: "list-escrow",
      kind: "escrow_fund",
      metadata: { contractId: "contract_list" },
      postings: [
        { account: userWalletAccount("lister", "KES"), amount: -15n, currency: "KES" },
        { account: contractEscrowAccount("contract_list", "KES"), amount: 15n, currency: "KES" },
      ],
    });
    await postLedgerTransaction(database.db, {
      idempotencyKey: "list-other-user",
      kind: "deposit",
      postings: depositPostings("someone_else", 10n),
    });

    const first = await listLedgerTransactions(database.db, { userId: "lister", limit: 4 });
    expect(first.items.map((t) => t.idempotencyKey)).toEqual(["list-escrow", "list-dep-4", "list-dep-3", "list-dep-2"]);
    expect(first.nextCursor).not.toBeNull();
    const second = await listLedgerTransactions(database.db, { userId: "lister", limit: 4, cursor: first.nextCursor! });
    expect(second.items.map((t) => t.idempotencyKey)).toEqual(["list-dep-1", "list-dep-0"]);
    expect(second.nextCursor).toBeNull();
    expect(first.items[0]!.postings).toEqual([
      expect.objectContaining({ account: "user:lister:wallet:KES", amount: -15n, balanceAfter: 35n }),
      expect.objectContaining({ account: "contract:contract_list:escrow:KES", amount: 15n }),
    ]);

    const deposits = await listLedgerTransactions(database.db, { userId: "lister", kind: "deposit" });
    expect(deposits.items).toHaveLength(5);
    const byContract = await listLedgerTransactions(database.db, { contractId: "contract_list" });
    expect(byContract.items.map((t) => t.idempotencyKey)).toEqual(["list-escrow"]);
    const byAccount = await listLedgerTransactions(database.db, { account: contractEscrowAccount("contract_list", "KES") });
    expect(byAccount.items).toHaveLength(1);
    expect((await listLedgerTransactions(database.db, { userId: "lister", currency: "USD" })).items).toEqual([]);
    const future = new Date(Date.now() + 60_000);
    expect((await listLedgerTransactions(database.db, { userId: "lister", from: future })).items).toEqual([]);
    expect((await listLedgerTransactions(database.db, { userId: "lister", to: future })).items).toHaveLength(6);
    await expect(listLedgerTransactions(database.db, { cursor: "abc" })).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      fields: [{ path: "cursor" }],
    });
  });
});

describe("verifyLedger", () => {
  test("passes on a ledger written through the API and reports a tampered balance", async () => {
    await postLedgerTransaction(database.db, {
      idempotencyKey: "snap-fund",
      kind: "deposit",
      postings: depositPostings("snapper", 1_000n),
    });
    await postLedgerTransaction(database.db, {
      idempotencyKey: "snap-payout",
      kind: "payout_reserve",
      metadata: { payoutId: "payout_snap" },
      postings: [
        { account: userWalletAccount("snapper", "KES"), amount: -400n, currency: "KES" },
        { account: payoutsInFlightAccount("KES"), amount: 400n, currency: "KES" },
      ],
    });
    const clean = await verifyLedger(database.db);
    expect(clean.checks.filter((c) => c.violations > 0)).toEqual([]);
    expect(clean.ok).toBe(true);
    expect(clean.totals.postings).toBeGreaterThan(0);

    // Balances are the one mutable table; corrupt one behind the ledger's back.
    await withPgClient(database.url, (client) =>
      client.query(
        `update ledger_balances set posted = posted + 1
         where account_id = (select id from ledger_accounts where code = 'user:snapper:wallet:KES')`,
      ),
    );
    const tampered = await verifyLedger(database.db);
    expect(tampered.ok).toBe(false);
    expect(tampered.checks.find((c) => c.name === "balances_match_postings")).toMatchObject({
      violations: 1,
      examples: [expect.stringContaining("user:snapper:wallet:KES")],
    });
  });
});
