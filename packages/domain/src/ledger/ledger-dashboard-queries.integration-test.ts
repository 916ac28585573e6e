import { Prisma, type Db } from "@agrinet/db";
import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  externalAccount,
  getBalanceAt,
  listAccountHistory,
  listLedgerAccounts,
  listLedgerTransactions,
  userWalletAccount,
  verifyLedger,
} from "./index";

// The dashboard's ledger pages must stay quick at scale. Speed is not asserted here (that is
// `pnpm bench`); what is asserted is the plan: every query the pages run reaches postings and
// transactions through an index, never by reading the whole postings table.

const transactionCount = 100_000;
const users = 1_000;
const chunk = 1_000;
const mpesa = externalAccount("mpesa", "KES");
const wallet = (n: number) => userWalletAccount(`user_perf_${n}`, "KES");

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  // Every transaction goes through ledger_post_transaction, the production posting function, so
  // balances, running balances, versions and the zero-sum commit check all hold. Chunks of 1,000
  // per statement (each its own commit): one statement for all would update the clearing
  // account's balance row 100,000 times in one transaction, and a row version chain that long
  // makes every later update slower (quadratic). Every seventh is an adjustment so the kind
  // filter is selective.
  for (let start = 1; start <= transactionCount; start += chunk) {
    await database.db.$executeRawUnsafe(`
      select ledger_post_transaction(
        'perf-' || g,
        case when g % 7 = 0 then 'adjustment' else 'deposit' end,
        jsonb_build_object('n', g), null, 'perf-hash-' || g,
        array['${mpesa}', 'user:user_perf_' || (g % ${users}) || ':wallet:KES'],
        array[-(100 + g)::bigint, (100 + g)::bigint],
        array['KES', 'KES'],
        array['external', 'user'],
        array['mpesa', 'user_perf_' || (g % ${users})],
        array['clearing', 'wallet'],
        array[true, false])
      from generate_series(${start}, ${Math.min(start + chunk - 1, transactionCount)}) g`);
  }
  await database.db.$executeRawUnsafe("analyze ledger_transactions, ledger_postings, ledger_accounts, ledger_balances");
}, 900_000);

afterAll(async () => {
  await database?.drop();
});

type PlanNode = {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Actual Rows"?: number;
  "Actual Loops"?: number;
  "Rows Removed by Filter"?: number;
  Plans?: PlanNode[];
};

function nodesOf(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodesOf)];
}

/**
 * Runs `run` against a client that records every raw query, then EXPLAINs each recorded query
 * with the same parameters (so the planner sees what production sees) and returns the plans.
 */
async function plansOf(run: (client: Db) => Promise<unknown>, explain = "format json"): Promise<PlanNode[][]> {
  const db = database.db;
  const captured: Prisma.Sql[] = [];
  const recording = new Proxy(db, {
    get(target, property) {
      if (property === "$queryRaw") {
        return (strings: TemplateStringsArray, ...values: unknown[]) => {
          captured.push(Prisma.sql(strings, ...values));
          return target.$queryRaw(strings, ...values);
        };
      }
      const value: unknown = Reflect.get(target, property);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  await run(recording);
  expect(captured.length).toBeGreaterThan(0);
  const plans: PlanNode[][] = [];
  for (const query of captured) {
    const rows = await db.$queryRawUnsafe<Array<{ "QUERY PLAN": Array<{ Plan: PlanNode }> }>>(
      `explain (${explain}) ${query.text}`,
      ...query.values,
    );
    plans.push(nodesOf(rows[0]!["QUERY PLAN"][0]!.Plan));
  }
  return plans;
}

function expectIndexedPostings(plans: PlanNode[][]) {
  const all = plans.flat();
  const seqScans = all.filter((node) => node["Node Type"] === "Seq Scan").map((node) => node["Relation Name"]);
  expect(seqScans).not.toContain("ledger_postings");
  expect(seqScans).not.toContain("ledger_transactions");
  const indexed = all.filter((node) => /Index/.test(node["Node Type"]) && node["Relation Name"]?.startsWith("ledger_"));
  expect(indexed.length).toBeGreaterThan(0);
}

describe(`dashboard ledger queries over ${transactionCount.toLocaleString("en")} transactions`, () => {
  test("the data set is what the plans are judged on, and the ledger verifies", async () => {
    const [counts] = await database.db.$queryRaw<Array<{ transactions: bigint; postings: bigint }>>`
      select (select count(*) from ledger_transactions) as transactions,
             (select count(*) from ledger_postings) as postings`;
    expect(counts!.transactions).toBe(BigInt(transactionCount));
    expect(counts!.postings).toBe(BigInt(transactionCount * 2));
    const report = await verifyLedger(database.db);
    expect(report.checks.filter((check) => check.violations > 0)).toEqual([]);
  }, 300_000);

  test("the transaction list, first and deeper pages, uses indexes", async () => {
    const first = await listLedgerTransactions(database.db, { limit: 50 });
    expect(first.items).toHaveLength(50);
    expect(first.items[0]!.postings.reduce((sum, p) => sum + p.amount, 0n)).toBe(0n);
    expectIndexedPostings(await plansOf((client) => listLedgerTransactions(client, { limit: 50 })));
    expectIndexedPostings(
      await plansOf((client) => listLedgerTransactions(client, { limit: 50, cursor: "50000" })),
    );
  });

  test("each filter the dashboard offers uses indexes", async () => {
    const filters = [
      { kind: "adjustment" as const },
      { currency: "KES" as const },
      { account: wallet(7) },
      { account: mpesa },
      { from: new Date(Date.now() - 3_600_000), to: new Date(Date.now() + 3_600_000) },
      { kind: "deposit" as const, account: mpesa, currency: "KES" as const },
    ];
    for (const filter of filters) {
      const page = await listLedgerTransactions(database.db, { ...filter, limit: 50 });
      expect(page.items.length, JSON.stringify(filter)).toBeGreaterThan(0);
      expectIndexedPostings(await plansOf((client) => listLedgerTransactions(client, { ...filter, limit: 50 })));
    }
  });

  test("a user's or a busy account's page reads about a page of postings, however long the history", async () => {
    // EXPLAIN ANALYZE counts the rows each plan node actually read: the page must walk the
    // account's postings index (account_id, transaction_id) and stop after about limit + 1
    // rows, not collect and sort the account's whole history (100,000 postings for the M-Pesa
    // clearing account, 100 for the user).
    const limit = 50;
    const bound = 2 * (limit + 1);
    const middle = (await listLedgerTransactions(database.db, { account: mpesa, limit, cursor: String(transactionCount / 2) }))
      .items[0]!.id.toString();
    const cases: Parameters<typeof listLedgerTransactions>[1][] = [
      { account: mpesa },
      { account: mpesa, cursor: middle },
      { account: mpesa, currency: "KES" },
      { userId: "user_perf_7" },
      { userId: "user_perf_7", cursor: String(transactionCount / 2) },
    ];
    for (const filter of cases) {
      const label = JSON.stringify(filter);
      const page = await listLedgerTransactions(database.db, { ...filter, limit });
      expect(page.items, label).toHaveLength(limit);
      const [transactions] = await plansOf(
        (client) => listLedgerTransactions(client, { ...filter, limit }),
        "analyze, format json",
      );
      const nodes = transactions!;
      expect(nodes.filter((node) => node["Node Type"] === "Seq Scan").map((node) => node["Relation Name"]), label).toEqual([]);
      const walks = nodes.filter((node) => node["Index Name"] === "ledger_postings_account_id_transaction_id_idx");
      expect(walks.length, label).toBeGreaterThan(0);
      for (const node of nodes) {
        if (!node["Relation Name"]?.startsWith("ledger_") && node["Node Type"] !== "Sort") continue;
        const read = (node["Actual Rows"] ?? 0) * (node["Actual Loops"] ?? 1) + (node["Rows Removed by Filter"] ?? 0);
        expect(read, `${label}: ${node["Node Type"]} ${node["Relation Name"] ?? ""} ${node["Index Name"] ?? ""}`)
          .toBeLessThanOrEqual(bound);
      }
    }
  });

  test("an account's balance history pages by its posting sequence, also for the busiest account", async () => {
    const history = await listAccountHistory(database.db, { account: mpesa, limit: 20 });
    expect(history.items).toHaveLength(20);
    expect(history.items[0]!.accountVersion).toBe(BigInt(transactionCount));
    const next = await listAccountHistory(database.db, { account: mpesa, limit: 20, cursor: history.nextCursor! });
    expect(next.items[0]!.accountVersion).toBe(BigInt(transactionCount - 20));
    // Running balances chain: each posting's balance is the previous one's plus its amount.
    expect(history.items[0]!.balanceAfter).toBe(history.items[1]!.balanceAfter + history.items[0]!.amount);

    for (const account of [mpesa, wallet(3)]) {
      expectIndexedPostings(await plansOf((client) => listAccountHistory(client, { account, limit: 50 })));
      expectIndexedPostings(
        await plansOf((client) => listAccountHistory(client, { account, limit: 50, cursor: "40" })),
      );
    }
  });

  test("the point-in-time balance is one index lookup", async () => {
    const now = await getBalanceAt(database.db, { account: wallet(5), at: new Date(Date.now() + 60_000) });
    const expected = Array.from({ length: transactionCount }, (_, i) => i + 1)
      .filter((g) => g % users === 5)
      .reduce((sum, g) => sum + BigInt(100 + g), 0n);
    expect(now.posted).toBe(expected);
    const before = await getBalanceAt(database.db, { account: wallet(5), at: new Date("2000-01-01T00:00:00Z") });
    expect(before.posted).toBe(0n);
    expectIndexedPostings(
      await plansOf((client) => getBalanceAt(client, { account: mpesa, at: new Date(Date.now() - 1_000) })),
    );
  });

  test("accounts grouped by owner are searchable and paged", async () => {
    const page = await listLedgerAccounts(database.db, { ownerType: "user", limit: 10 });
    expect(page.items).toHaveLength(10);
    expect(page.items.every((owner) => owner.accounts.length === 1)).toBe(true);
    const next = await listLedgerAccounts(database.db, { ownerType: "user", limit: 10, cursor: page.nextCursor! });
    expect(next.items[0]!.ownerId > page.items[9]!.ownerId).toBe(true);
    const search = await listLedgerAccounts(database.db, { search: "user_perf_42:" });
    expect(search.items.map((owner) => owner.ownerId)).toEqual(["user_perf_42"]);
    const mpesaOwner = await listLedgerAccounts(database.db, { search: "MPESA" });
    expect(mpesaOwner.items[0]!.accounts[0]!.account).toBe(mpesa);
    expect(mpesaOwner.items[0]!.accounts[0]!.posted < 0n).toBe(true);
  });
});
