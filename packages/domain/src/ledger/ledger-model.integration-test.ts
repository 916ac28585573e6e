// Property test: random sequences of ledger operations against a simple in-memory model.
// After every operation the touched balances must equal the model's; after every run the
// whole ledger must verify.
import fc from "fast-check";
import { DomainError } from "@agrinet/core";
import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { afterAll, beforeAll, expect, test } from "vitest";
import { commitHolds } from "./testing/commit-holds";
import {
  createHold,
  externalAccount,
  getAccountBalance,
  postLedgerTransaction,
  postLedgerTransactionsBatch,
  userWalletAccount,
  verifyLedger,
  voidHold,
} from "./index";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});

const users = 4;
type Operation =
  | { type: "deposit"; user: number; amount: number }
  | { type: "transfer"; from: number; to: number; amount: number }
  | { type: "batch"; transfers: Array<{ from: number; to: number; amount: number }> }
  | { type: "hold"; user: number; amount: number }
  | { type: "commit"; hold: number }
  | { type: "void"; hold: number }
  | { type: "replay"; previous: number };

const user = fc.integer({ min: 0, max: users - 1 });
const amount = fc.integer({ min: 1, max: 1_000 });
const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({ type: fc.constant("deposit" as const), user, amount }),
  fc.record({ type: fc.constant("transfer" as const), from: user, to: user, amount }),
  fc.record({
    type: fc.constant("batch" as const),
    transfers: fc.array(fc.record({ from: user, to: user, amount }), { minLength: 1, maxLength: 6 }),
  }),
  fc.record({ type: fc.constant("hold" as const), user, amount }),
  fc.record({ type: fc.constant("commit" as const), hold: fc.nat(20) }),
  fc.record({ type: fc.constant("void" as const), hold: fc.nat(20) }),
  fc.record({ type: fc.constant("replay" as const), previous: fc.nat(50) }),
);

type ModelHold = { id: bigint; user: number; amount: bigint; status: "pending" | "committed" | "voided" };

let run = 0;

test("random operation sequences keep the ledger equal to the model and verified", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 25 }), async (operations) => {
      run++;
      const wallet = (u: number) => userWalletAccount(`m${run}_u${u}`, "KES");
      const model = { posted: new Array<bigint>(users).fill(0n), held: new Array<bigint>(users).fill(0n) };
      const holds: ModelHold[] = [];
      const sent: Array<Parameters<typeof postLedgerTransaction>[1]> = [];
      let key = 0;
      const available = (u: number) => model.posted[u]! - model.held[u]!;

      const transferInput = (from: number, to: number, value: number) => ({
        idempotencyKey: `m${run}-${key++}`,
        kind: "transfer" as const,
        postings: [
          { account: wallet(from), amount: -BigInt(value), currency: "KES" as const },
          { account: wallet(to), amount: BigInt(value), currency: "KES" as const },
        ],
      });
      const applyTransfer = (from: number, to: number, value: bigint) => {
        model.posted[from]! -= value;
        model.posted[to]! += value;
      };
      const expectCode = async (promise: Promise<unknown>, code: string) => {
        const error = await promise.then(() => null, (e: unknown) => e);
        expect(error).toBeInstanceOf(DomainError);
        expect((error as DomainError).code).toBe(code);
      };

      for (const op of operations) {
        switch (op.type) {
          case "deposit": {
            const input = {
              idempotencyKey: `m${run}-${key++}`,
              kind: "deposit" as const,
              postings: [
                { account: externalAccount("stripe", "KES"), amount: -BigInt(op.amount), currency: "KES" as const },
                { account: wallet(op.user), amount: BigInt(op.amount), currency: "KES" as const },
              ],
            };
            await postLedgerTransaction(database.db, input);
            sent.push(input);
            model.posted[op.user]! += BigInt(op.amount);
            break;
          }
          case "transfer": {
            if (op.from === op.to) break;
            const input = transferInput(op.from, op.to, op.amount);
            if (available(op.from) >= BigInt(op.amount)) {
              await postLedgerTransaction(database.db, input);
              sent.push(input);
              applyTransfer(op.from, op.to, BigInt(op.amount));
            } else {
              await expectCode(postLedgerTransaction(database.db, input), "INSUFFICIENT_FUNDS");
            }
            break;
          }
          case "batch": {
            const transfers = op.transfers.filter((t) => t.from !== t.to);
            if (!transfers.length) break;
            const inputs = transfers.map((t) => transferInput(t.from, t.to, t.amount));
            const results = await postLedgerTransactionsBatch(database.db, inputs);
            transfers.forEach((t, i) => {
              const ok = available(t.from) >= BigInt(t.amount);
              expect(results[i]!.ok).toBe(ok);
              if (ok) {
                applyTransfer(t.from, t.to, BigInt(t.amount));
                sent.push(inputs[i]!);
              }
            });
            break;
          }
          case "hold": {
            const input = { idempotencyKey: `m${run}-${key++}`, account: wallet(op.user), amount: BigInt(op.amount), currency: "KES" as const };
            if (available(op.user) >= BigInt(op.amount)) {
              const hold = await createHold(database.db, input);
              holds.push({ id: hold.id, user: op.user, amount: BigInt(op.amount), status: "pending" });
              model.held[op.user]! += BigInt(op.amount);
            } else {
              await expectCode(createHold(database.db, input), "INSUFFICIENT_FUNDS");
            }
            break;
          }
          case "commit": {
            const hold = holds[op.hold % Math.max(holds.length, 1)];
            if (!hold) break;
            // Whole holds, as settlement commits them (ledger_commit_holds).
            const input = { holdId: hold.id, idempotencyKey: `m${run}-${key++}`, toAccount: wallet((hold.user + 1) % users) };
            if (hold.status === "pending") {
              await commitHolds(database.db, [input]);
              hold.status = "committed";
              model.held[hold.user]! -= hold.amount;
              applyTransfer(hold.user, (hold.user + 1) % users, hold.amount);
            } else {
              await expectCode(commitHolds(database.db, [input]), "INVALID_STATE");
            }
            break;
          }
          case "void": {
            const hold = holds[op.hold % Math.max(holds.length, 1)];
            if (!hold) break;
            if (hold.status === "committed") {
              await expectCode(voidHold(database.db, { holdId: hold.id }), "INVALID_STATE");
            } else {
              await voidHold(database.db, { holdId: hold.id });
              if (hold.status === "pending") model.held[hold.user]! -= hold.amount;
              hold.status = "voided";
            }
            break;
          }
          case "replay": {
            const input = sent[op.previous % Math.max(sent.length, 1)];
            if (!input) break;
            expect((await postLedgerTransaction(database.db, input)).replayed).toBe(true);
            break;
          }
        }
        for (let u = 0; u < users; u++) {
          const balance = await getAccountBalance(database.db, { account: wallet(u) });
          expect([balance.posted, balance.held]).toEqual([model.posted[u], model.held[u]]);
          expect(balance.available).toBeGreaterThanOrEqual(0n);
        }
      }
      const report = await verifyLedger(database.db);
      expect(report.checks.filter((c) => c.violations > 0)).toEqual([]);
    }),
    { numRuns: 12 },
  );
});
