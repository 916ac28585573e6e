import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { afterAll, beforeAll, expect, test } from "vitest";
import {
  commitHold,
  createHold,
  expireLedgerHolds,
  externalAccount,
  getAccountBalance,
  payoutsInFlightAccount,
  postLedgerTransaction,
  userWalletAccount,
  voidHold,
} from "./index";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});

async function fund(userId: string, amount: bigint) {
  await postLedgerTransaction(database.db, {
    idempotencyKey: `fund-${userId}`,
    kind: "deposit",
    postings: [
      { account: externalAccount("mpesa", "KES"), amount: -amount, currency: "KES" },
      { account: userWalletAccount(userId, "KES"), amount, currency: "KES" },
    ],
  });
  return userWalletAccount(userId, "KES");
}

const balance = (account: string) => getAccountBalance(database.db, { account });

test("a hold reserves funds, and commit posts them to the destination", async () => {
  const wallet = await fund("p1", 1_000n);
  const hold = await createHold(database.db, {
    idempotencyKey: "hold-p1",
    account: wallet,
    amount: 600n,
    currency: "KES",
  });
  expect(hold).toMatchObject({ status: "pending", amount: 600n, replayed: false });
  expect(await balance(wallet)).toMatchObject({ posted: 1_000n, held: 600n, available: 400n });

  await expect(
    createHold(database.db, { idempotencyKey: "hold-p1-b", account: wallet, amount: 401n, currency: "KES" }),
  ).rejects.toMatchObject({ code: "INSUFFICIENT_FUNDS", details: { available: "400" } });
  // and a plain transfer can't spend the reserved funds either
  await expect(
    postLedgerTransaction(database.db, {
      idempotencyKey: "spend-p1",
      kind: "transfer",
      postings: [
        { account: wallet, amount: -401n, currency: "KES" },
        { account: userWalletAccount("q1", "KES"), amount: 401n, currency: "KES" },
      ],
    }),
  ).rejects.toMatchObject({ code: "INSUFFICIENT_FUNDS" });

  const inFlight = payoutsInFlightAccount("KES");
  const committed = await commitHold(database.db, {
    holdId: hold.id,
    idempotencyKey: "commit-p1",
    kind: "payout_reserve",
    toAccount: inFlight,
    metadata: { payoutId: "payout_1" },
  });
  expect(committed.replayed).toBe(false);
  expect(await balance(wallet)).toMatchObject({ posted: 400n, held: 0n, available: 400n });
  expect((await balance(inFlight)).posted).toBe(600n);

  const again = await commitHold(database.db, {
    holdId: hold.id,
    idempotencyKey: "commit-p1",
    kind: "payout_reserve",
    toAccount: inFlight,
    metadata: { payoutId: "payout_1" },
  });
  expect(again).toMatchObject({ replayed: true, id: committed.id });
  expect((await balance(inFlight)).posted).toBe(600n);

  await expect(voidHold(database.db, { holdId: hold.id })).rejects.toMatchObject({ code: "INVALID_STATE" });
});

test("a replayed hold key returns the first hold without reserving twice", async () => {
  const wallet = await fund("p2", 500n);
  const first = await createHold(database.db, { idempotencyKey: "hold-p2", account: wallet, amount: 200n, currency: "KES" });
  const second = await createHold(database.db, { idempotencyKey: "hold-p2", account: wallet, amount: 200n, currency: "KES" });
  expect(second).toMatchObject({ id: first.id, replayed: true });
  expect((await balance(wallet)).held).toBe(200n);
  await expect(
    createHold(database.db, { idempotencyKey: "hold-p2", account: wallet, amount: 201n, currency: "KES" }),
  ).rejects.toMatchObject({ code: "IDEMPOTENCY_KEY_REUSED" });
});

test("void releases the reservation and is idempotent; a voided hold can't be committed", async () => {
  const wallet = await fund("p3", 500n);
  const hold = await createHold(database.db, { idempotencyKey: "hold-p3", account: wallet, amount: 500n, currency: "KES" });
  expect((await voidHold(database.db, { holdId: hold.id })).replayed).toBe(false);
  expect((await voidHold(database.db, { holdId: hold.id })).replayed).toBe(true);
  expect(await balance(wallet)).toMatchObject({ posted: 500n, held: 0n, available: 500n });
  await expect(
    commitHold(database.db, {
      holdId: hold.id,
      idempotencyKey: "commit-p3",
      kind: "payout_reserve",
      toAccount: payoutsInFlightAccount("KES"),
    }),
  ).rejects.toMatchObject({ code: "INVALID_STATE" });
});

test("a partial commit posts part and releases the rest", async () => {
  const wallet = await fund("p4", 1_000n);
  const hold = await createHold(database.db, { idempotencyKey: "hold-p4", account: wallet, amount: 800n, currency: "KES" });
  await commitHold(database.db, {
    holdId: hold.id,
    idempotencyKey: "commit-p4",
    kind: "escrow_fund",
    toAccount: "contract:contract_p4:escrow:KES",
    amount: 300n,
  });
  expect(await balance(wallet)).toMatchObject({ posted: 700n, held: 0n, available: 700n });
  expect((await balance("contract:contract_p4:escrow:KES")).posted).toBe(300n);
});

test("expired holds can't be committed and are released by expireLedgerHolds", async () => {
  const wallet = await fund("p5", 1_000n);
  const hold = await createHold(database.db, {
    idempotencyKey: "hold-p5",
    account: wallet,
    amount: 900n,
    currency: "KES",
    expiresAt: new Date(Date.now() - 1_000),
  });
  await expect(
    commitHold(database.db, {
      holdId: hold.id,
      idempotencyKey: "commit-p5",
      kind: "payout_reserve",
      toAccount: payoutsInFlightAccount("KES"),
    }),
  ).rejects.toMatchObject({ code: "INVALID_STATE", details: { status: "expired" } });
  expect(await expireLedgerHolds(database.db)).toContain(hold.id);
  expect(await balance(wallet)).toMatchObject({ held: 0n, available: 1_000n });
  const row = await database.db.ledgerHold.findUniqueOrThrow({ where: { id: hold.id } });
  expect(row.status).toBe("expired");
});
