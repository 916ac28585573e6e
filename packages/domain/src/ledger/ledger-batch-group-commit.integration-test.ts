// Property test: batches posted concurrently on the client share database transactions (group
// commit). Each caller must get what posting the callers' batches one after the other (in call
// order) gives, item by item: insufficient funds mid-batch, replays and keys reused across callers
// included. A batch the database refuses as a whole fails its own caller only.
import fc from "fast-check";
import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { afterAll, beforeAll, expect, test } from "vitest";
import { postLedgerTransactionsBatch, verifyLedger, type PostLedgerTransactionInput } from "./index";
import { expectSidesAgree, fundedSides, item, outcomesOf, postOneByOne, transfersOf, type Outcome, type Transfer } from "./testing/batch-model";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});

const callers = fc.record({
  batches: fc.array(fc.array(item, { minLength: 1, maxLength: 8 }), { minLength: 2, maxLength: 10 }),
  // Which caller (if any) sends a batch PostgreSQL refuses as a whole.
  malformed: fc.option(fc.nat(9), { nil: undefined }),
});

let run = 0;

test("concurrent batches share commits and give each caller the results of posting them one after the other", async () => {
  let sharedCommits = 0;
  let malformedRuns = 0;
  await fc.assert(
    fc.asyncProperty(callers, async ({ batches, malformed }) => {
      run++;
      const { account, input } = await fundedSides(database.db, `g${run}`);
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
      const perCaller = batches.map((batch) => transfersOf(batch, sent));
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
        expected.push(await postOneByOne(database.db, perCaller[c]!.map((t) => input("s", t))));
      }
      const actual = settled.map((s) => (s.status === "rejected" ? "rejected" : outcomesOf(s.value)));
      expect(actual).toEqual(expected);
      if (malformedCaller !== undefined) malformedRuns++;

      await expectSidesAgree(database.db, account);

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
