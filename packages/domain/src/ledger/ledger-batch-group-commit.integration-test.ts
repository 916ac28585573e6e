// Property test: batches posted concurrently on the client share database transactions (group
// commit). Each caller must get what posting the callers' batches one after the other (in call
// order) gives, item by item: insufficient funds mid-batch, replays and keys reused across callers
// included. A batch the database refuses as a whole fails its own caller only.
import fc from "fast-check";
import { DomainError } from "@agrinet/core";
import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { afterAll, beforeAll, expect, test } from "vitest";
import {
  externalAccount,
  getAccountBalance,
  postLedgerTransaction,
  postLedgerTransactionsBatch,
  userWalletAccount,
  verifyLedger,
  type PostLedgerTransactionInput,
} from "./index";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});

const wallets = 3;
const funding = 300n;
type Transfer = { key: number; from: number; to: number; amount: number };
type Item = ({ type: "transfer" } & Transfer) | { type: "again"; previous: number };

const wallet = fc.integer({ min: 0, max: wallets - 1 });
const item: fc.Arbitrary<Item> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ type: fc.constant("transfer" as const), key: fc.nat(40), from: wallet, to: wallet, amount: fc.integer({ min: 1, max: 400 }) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant("again" as const), previous: fc.nat(30) }) },
);
const callers = fc.record({
  batches: fc.array(fc.array(item, { minLength: 1, maxLength: 8 }), { minLength: 2, maxLength: 10 }),
  // Which caller (if any) sends a batch PostgreSQL refuses as a whole.
  malformed: fc.option(fc.nat(9), { nil: undefined }),
});

type Outcome = { ok: true; replayed: boolean; balancesAfter: bigint[] } | { ok: false; code: string };

let run = 0;

test("concurrent batches share commits and give each caller the results of posting them one after the other", async () => {
  let sharedCommits = 0;
  let malformedRuns = 0;
  await fc.assert(
    fc.asyncProperty(callers, async ({ batches, malformed }) => {
      run++;
      const sides = ["b", "s"] as const;
      const account = (side: string, u: number) => userWalletAccount(`g${run}${side}_u${u}`, "KES");
      for (const side of sides) {
        for (let u = 0; u < wallets; u++) {
          await postLedgerTransaction(database.db, {
            idempotencyKey: `g${run}${side}-fund-${u}`,
            kind: "deposit",
            postings: [
              { account: externalAccount("stripe", "KES"), amount: -funding, currency: "KES" },
              { account: account(side, u), amount: funding, currency: "KES" },
            ],
          });
        }
      }
      const input = (side: string, t: Transfer): PostLedgerTransactionInput => ({
        idempotencyKey: `g${run}${side}-k${t.key}`,
        kind: "transfer",
        postings: [
          { account: account(side, t.from), amount: -BigInt(t.amount), currency: "KES" },
          { account: account(side, t.to), amount: BigInt(t.amount), currency: "KES" },
        ],
      });
      // Balances, validation and the sum check pass; PostgreSQL refuses 2^63 as a bigint.
      const overflowing = (side: string): PostLedgerTransactionInput => ({
        idempotencyKey: `g${run}${side}-overflow`,
        kind: "transfer",
        postings: [
          { account: account(side, 0), amount: -(2n ** 63n), currency: "KES" },
          { account: account(side, 1), amount: 2n ** 63n, currency: "KES" },
        ],
      });
      const sent: Transfer[] = [];
      const perCaller = batches.map((batch) => {
        const transfers = batch
          .map((i) => (i.type === "transfer" ? i : sent[i.previous % Math.max(sent.length, 1)]))
          .filter((t): t is Transfer => t !== undefined && t.from !== t.to);
        sent.push(...transfers);
        return transfers;
      });
      const malformedCaller = malformed !== undefined && malformed < perCaller.length ? malformed : undefined;
      const inputsOf = (side: string, c: number) => {
        const inputs = perCaller[c]!.map((t) => input(side, t));
        return c === malformedCaller ? [...inputs, overflowing(side)] : inputs;
      };

      // Side "b": every caller at once. Side "s": the same batches one after the other, item by item.
      const settled = await Promise.allSettled(perCaller.map((_, c) => postLedgerTransactionsBatch(database.db, inputsOf("b", c))));
      const expected: Array<Outcome[] | "rejected"> = [];
      for (let c = 0; c < perCaller.length; c++) {
        if (c === malformedCaller) {
          await expect(postLedgerTransactionsBatch(database.db, inputsOf("s", c))).rejects.toThrow(/out of range/);
          expected.push("rejected");
          continue;
        }
        const outcomes: Outcome[] = [];
        for (const t of perCaller[c]!) {
          try {
            const posted = await postLedgerTransaction(database.db, input("s", t));
            outcomes.push({ ok: true, replayed: posted.replayed, balancesAfter: posted.postings.map((p) => p.balanceAfter) });
          } catch (error) {
            if (!(error instanceof DomainError)) throw error;
            outcomes.push({ ok: false, code: error.code });
          }
        }
        expected.push(outcomes);
      }
      const actual = settled.map((s) =>
        s.status === "rejected"
          ? "rejected"
          : s.value.map((r): Outcome =>
              r.ok
                ? { ok: true, replayed: r.transaction.replayed, balancesAfter: r.transaction.postings.map((p) => p.balanceAfter) }
                : { ok: false, code: r.error.code },
            ),
      );
      expect(actual).toEqual(expected);
      if (malformedCaller !== undefined) malformedRuns++;

      for (let u = 0; u < wallets; u++) {
        const [b, s] = await Promise.all(sides.map((side) => getAccountBalance(database.db, { account: account(side, u) })));
        expect(b!.posted).toBe(s!.posted);
        expect(b!.available).toBeGreaterThanOrEqual(0n);
      }

      // A database transaction's postings share its start time: two callers' fresh postings with
      // one created_at went in one commit.
      const startsByCaller = settled.map((s) =>
        s.status === "fulfilled"
          ? new Set(s.value.flatMap((r) => (r.ok && !r.transaction.replayed ? [r.transaction.createdAt.getTime()] : [])))
          : new Set<number>(),
      );
      const shared = startsByCaller.some((starts, c) =>
        startsByCaller.slice(c + 1).some((other) => [...starts].some((start) => other.has(start))));
      if (shared) sharedCommits++;
    }),
    { numRuns: 30 },
  );
  expect(sharedCommits).toBeGreaterThan(0);
  expect(malformedRuns).toBeGreaterThan(0);
  const report = await verifyLedger(database.db);
  expect(report.checks.filter((c) => c.violations > 0)).toEqual([]);
});
