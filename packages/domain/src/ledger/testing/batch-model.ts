// What the batch property tests share: generated transfers between a few small wallets, posted on
// two sides — "b" through the path under test, "s" one transfer at a time with
// postLedgerTransaction, the model the batch paths must agree with item by item.
import fc from "fast-check";
import { DomainError } from "@agrinet/core";
import type { Db } from "@agrinet/db";
import { expect } from "vitest";
import {
  externalAccount,
  getAccountBalance,
  postLedgerTransaction,
  userWalletAccount,
  type BatchItemResult,
  type PostLedgerTransactionInput,
} from "../index";

export const wallets = 3;
// Little money and large transfers: overdrafts mid-batch, some covered again by a later credit.
const funding = 300n;

export type Transfer = { key: number; from: number; to: number; amount: number };
export type Item = ({ type: "transfer" } & Transfer) | { type: "again"; previous: number };

const wallet = fc.integer({ min: 0, max: wallets - 1 });
// Few keys, so that some collide: a replay when the transfer is the same, a reused key otherwise.
export const item: fc.Arbitrary<Item> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      type: fc.constant("transfer" as const),
      key: fc.nat(40),
      from: wallet,
      to: wallet,
      amount: fc.integer({ min: 1, max: 400 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ type: fc.constant("again" as const), previous: fc.nat(30) }) },
);

export type Outcome = { ok: true; replayed: boolean; balancesAfter: bigint[] } | { ok: false; code: string };

export const sides = ["b", "s"] as const;

/** One property run's wallets on both sides, funded alike; `prefix` keeps runs apart. */
export async function fundedSides(db: Db, prefix: string) {
  const account = (side: string, u: number) => userWalletAccount(`${prefix}${side}_u${u}`, "KES");
  for (const side of sides) {
    for (let u = 0; u < wallets; u++) {
      await postLedgerTransaction(db, {
        idempotencyKey: `${prefix}${side}-fund-${u}`,
        kind: "deposit",
        postings: [
          { account: externalAccount("stripe", "KES"), amount: -funding, currency: "KES" },
          { account: account(side, u), amount: funding, currency: "KES" },
        ],
      });
    }
  }
  const input = (side: string, t: Transfer): PostLedgerTransactionInput => ({
    idempotencyKey: `${prefix}${side}-k${t.key}`,
    kind: "transfer",
    postings: [
      { account: account(side, t.from), amount: -BigInt(t.amount), currency: "KES" },
      { account: account(side, t.to), amount: BigInt(t.amount), currency: "KES" },
    ],
  });
  return { account, input };
}

/** A generated batch as transfers: "again" repeats an earlier one (`sent` grows with each batch). */
export function transfersOf(batch: Item[], sent: Transfer[]): Transfer[] {
  const transfers = batch
    .map((i) => (i.type === "transfer" ? i : sent[i.previous % Math.max(sent.length, 1)]))
    .filter((t): t is Transfer => t !== undefined && t.from !== t.to);
  sent.push(...transfers);
  return transfers;
}

/** The model: each input posted on its own, in order. */
export async function postOneByOne(db: Db, inputs: PostLedgerTransactionInput[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const input of inputs) {
    try {
      const posted = await postLedgerTransaction(db, input);
      outcomes.push({ ok: true, replayed: posted.replayed, balancesAfter: posted.postings.map((p) => p.balanceAfter) });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      outcomes.push({ ok: false, code: error.code });
    }
  }
  return outcomes;
}

export function outcomesOf(results: BatchItemResult[]): Outcome[] {
  return results.map((r) =>
    r.ok
      ? { ok: true, replayed: r.transaction.replayed, balancesAfter: r.transaction.postings.map((p) => p.balanceAfter) }
      : { ok: false, code: r.error.code },
  );
}

/** Both sides' wallets hold the same, and none is overdrawn. */
export async function expectSidesAgree(db: Db, account: (side: string, u: number) => string) {
  for (let u = 0; u < wallets; u++) {
    const [b, s] = await Promise.all(sides.map((side) => getAccountBalance(db, { account: account(side, u) })));
    expect(b!.posted).toBe(s!.posted);
    expect(b!.available).toBeGreaterThanOrEqual(0n);
  }
}
