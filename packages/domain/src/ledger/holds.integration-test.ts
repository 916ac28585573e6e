import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { afterAll, beforeAll, expect, test } from "vitest";
import { commitHolds } from "./testing/commit-holds";
import {
  createHold,
  expireLedgerHolds,
  externalAccount,
  getAccountBalance,
  parseAccountCode,
  payoutsInFlightAccount,
  postLedgerTransaction,
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
  const commit = { holdId: hold.id, idempotencyKey: "commit-p1", toAccount: inFlight, metadata: { payoutId: "payout_1" } };
  const [committed] = await commitHolds(database.db, [commit]);
  expect(committed!.balancesAfter).toEqual([400n, 600n]);
  expect(await balance(wallet)).toMatchObject({ posted: 400n, held: 0n, available: 400n });
  expect((await balance(inFlight)).posted).toBe(600n);

  // Committing again moves nothing (a replayed settlement is answered by payouts_settle, which
  // finds the payout paid before it reaches the hold).
  await expect(commitHolds(database.db, [commit])).rejects.toMatchObject({ code: "INVALID_STATE" });
  expect((await balance(inFlight)).posted).toBe(600n);
  expect(await database.db.ledgerHold.findUniqueOrThrow({ where: { id: hold.id } })).toMatchObject({
    status: "committed",
    commitTransactionId: committed!.transactionId,
  });

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

test("ledger_create_holds places a batch as its items one after another, or none of it", async () => {
  const db = database.db;
  const walletA = await fund("holds-a", 1_000n);
  const walletB = await fund("holds-b", 1_000n);
  const placed = await createHold(db, { idempotencyKey: "holds-before", account: walletA, amount: 100n, currency: "KES" });
  const holds = (items: Array<{ key: string; account: string; amount: bigint }>) =>
    db.$pool.query<{ item: number; hold_id: string; replayed: boolean; amount: string }>(
      `select item, hold_id::text, replayed, amount::text from ledger_create_holds(
         $1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::boolean[], $8::bigint[], null, null)`,
      [
        items.map((i) => i.key),
        items.map((i) => i.account),
        items.map((i) => parseAccountCode(i.account).ownerType),
        items.map((i) => parseAccountCode(i.account).ownerId),
        items.map((i) => parseAccountCode(i.account).purpose),
        items.map(() => "KES"),
        items.map(() => false),
        items.map((i) => i.amount.toString()),
      ],
    );
  const heldOn = async () => [(await balance(walletA)).held, (await balance(walletB)).held];

  // Together the new holds on A need 901 of the 900 available: the whole batch is refused.
  const refused = await holds([
    { key: "holds-1", account: walletA, amount: 500n },
    { key: "holds-2", account: walletB, amount: 100n },
    { key: "holds-3", account: walletA, amount: 401n },
  ]).catch((error: { code: string; detail: string }) => error);
  expect(refused).toMatchObject({ code: "LG003" });
  expect(JSON.parse((refused as { detail: string }).detail)).toEqual({ account: walletA, available: "900", required: "901" });
  expect(await heldOn()).toEqual([100n, 0n]);

  // A key used before the batch, and one an earlier item of the batch names, are replays.
  const { rows } = await holds([
    { key: "holds-1", account: walletA, amount: 500n },
    { key: "holds-before", account: walletA, amount: 100n },
    { key: "holds-2", account: walletB, amount: 100n },
    { key: "holds-1", account: walletA, amount: 500n },
    { key: "holds-3", account: walletA, amount: 400n },
  ]);
  expect(rows.map((r) => [r.item, r.replayed, r.amount])).toEqual([
    [1, false, "500"],
    [2, true, "100"],
    [3, false, "100"],
    [4, true, "500"],
    [5, false, "400"],
  ]);
  expect(rows[1]!.hold_id).toBe(placed.id.toString());
  expect(rows[3]!.hold_id).toBe(rows[0]!.hold_id);
  expect(await heldOn()).toEqual([1_000n, 100n]);

  // A key reused for another amount refuses the batch.
  await expect(
    holds([
      { key: "holds-4", account: walletB, amount: 100n },
      { key: "holds-2", account: walletB, amount: 101n },
    ]),
  ).rejects.toMatchObject({ code: "LG004" });
  expect(await heldOn()).toEqual([1_000n, 100n]);
  expect((await verifyLedger(db)).ok).toBe(true);
});

test("void releases the reservation and is idempotent; a voided hold can't be committed", async () => {
  const wallet = await fund("p3", 500n);
  const hold = await createHold(database.db, { idempotencyKey: "hold-p3", account: wallet, amount: 500n, currency: "KES" });
  expect((await voidHold(database.db, { holdId: hold.id })).replayed).toBe(false);
  expect((await voidHold(database.db, { holdId: hold.id })).replayed).toBe(true);
  expect(await balance(wallet)).toMatchObject({ posted: 500n, held: 0n, available: 500n });
  await expect(
    commitHolds(database.db, [{ holdId: hold.id, idempotencyKey: "commit-p3", toAccount: payoutsInFlightAccount("KES") }]),
  ).rejects.toMatchObject({ code: "INVALID_STATE" });
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
    commitHolds(database.db, [{ holdId: hold.id, idempotencyKey: "commit-p5", toAccount: payoutsInFlightAccount("KES") }]),
  ).rejects.toMatchObject({ code: "INVALID_STATE", details: { status: "expired" } });
  expect(await expireLedgerHolds(database.db)).toContain(hold.id);
  expect(await balance(wallet)).toMatchObject({ held: 0n, available: 1_000n });
  const row = await database.db.ledgerHold.findUniqueOrThrow({ where: { id: hold.id } });
  expect(row.status).toBe("expired");
});

test("ledger_commit_holds commits many holds at once, with running balances in item order, or none", async () => {
  const db = database.db;
  const walletA = await fund("batch-a", 1_000n);
  const walletB = await fund("batch-b", 1_000n);
  const hold = (key: string, account: string, amount: bigint) =>
    createHold(db, { idempotencyKey: key, account, amount, currency: "KES" });
  const holds = [await hold("bh-1", walletA, 100n), await hold("bh-2", walletB, 200n), await hold("bh-3", walletA, 300n)];
  const to = parseAccountCode(payoutsInFlightAccount("KES"));
  const clearingBefore = (await balance(to.code)).posted;
  const commit = (items: typeof holds, keyPrefix: string, keyOf = (id: bigint) => `${keyPrefix}-${id}`) =>
    db.$pool.query<{ item: number; transaction_id: string; balances_after: string[] }>(
      `select item, transaction_id::text, balances_after::text[] from ledger_commit_holds(
         $1::bigint[], $2::text[], 'payout_settle', $3::jsonb[], $4::text[], $5::text[],
         $6::text[], $7::text[], $8::text[], $9::text[], $10::boolean[])`,
      [
        items.map((h) => h.id.toString()),
        items.map((h) => keyOf(h.id)),
        items.map((h) => JSON.stringify({ note: `hold ${h.id}` })),
        items.map(() => null),
        items.map((h) => `hash-${h.id}`),
        items.map(() => to.code),
        items.map(() => to.ownerType),
        items.map(() => to.ownerId),
        items.map(() => to.purpose),
        items.map(() => to.allowNegative),
      ],
    );

  // A hold that is no longer pending refuses the whole batch: nothing of it is committed.
  await voidHold(db, { holdId: holds[1]!.id });
  await expect(commit(holds, "bad")).rejects.toMatchObject({ code: "LG005" });
  expect(await db.ledgerHold.count({ where: { id: { in: holds.map((h) => h.id) }, status: "committed" } })).toBe(0);
  expect(await balance(walletA)).toMatchObject({ posted: 1_000n, held: 400n });

  const pending = [holds[0]!, holds[2]!];
  const { rows } = await commit(pending, "ok");
  // Wallet A pays 100 then 300; the clearing account receives both, in item order.
  expect(rows.map((r) => [r.item, r.balances_after])).toEqual([
    [1, ["900", (clearingBefore + 100n).toString()]],
    [2, ["600", (clearingBefore + 400n).toString()]],
  ]);
  expect(await balance(walletA)).toMatchObject({ posted: 600n, held: 0n, available: 600n });
  expect((await balance(to.code)).posted - clearingBefore).toBe(400n);
  const committed = await db.ledgerHold.findMany({ where: { id: { in: pending.map((h) => h.id) } }, orderBy: { id: "asc" } });
  expect(committed.map((h) => [h.status, h.commitTransactionId?.toString()])).toEqual(rows.map((r) => ["committed", r.transaction_id]));
  const metadata = await db.ledgerTransaction.findFirstOrThrow({ where: { idempotencyKey: `ok-${holds[0]!.id}` } });
  expect(metadata.metadata).toEqual({ note: `hold ${holds[0]!.id}`, holdId: holds[0]!.id.toString() });
  // Committed holds are refused the second time: payouts_settle answers replays before this.
  await expect(commit(pending, "ok")).rejects.toMatchObject({ code: "LG005" });
  // So is a key another transaction already has, and the hold stays pending.
  const fresh = await hold("bh-4", walletB, 50n);
  await expect(commit([fresh], "reused", () => `ok-${holds[0]!.id}`)).rejects.toMatchObject({ code: "23505" });
  expect(await db.ledgerHold.findUniqueOrThrow({ where: { id: fresh.id } })).toMatchObject({ status: "pending" });
  expect((await verifyLedger(db)).ok).toBe(true);
});

test("ledger_commit_holds writes each hold and each balance row once: one row version each, not one per step", async () => {
  const db = database.db;
  const wallet = await fund("batch-once", 1_000n);
  const holds = [
    await createHold(db, { idempotencyKey: "once-1", account: wallet, amount: 100n, currency: "KES" }),
    await createHold(db, { idempotencyKey: "once-2", account: wallet, amount: 250n, currency: "KES" }),
  ];
  const to = parseAccountCode(payoutsInFlightAccount("KES"));
  const client = await db.$pool.connect();
  try {
    await client.query("begin");
    // Resolves the clearing account first, so its creation (if this test runs alone) is not counted.
    await client.query(`select ledger_resolve_accounts($1::text[], $2::text[], $3::text[], $4::text[], array['KES'], $5::boolean[])`, [
      [to.code], [to.ownerType], [to.ownerId], [to.purpose], [to.allowNegative],
    ]);
    const updates = async () => {
      const { rows } = await client.query<{ holds: string; balances: string }>(
        `select pg_stat_get_xact_tuples_updated('ledger_holds'::regclass)::text as holds,
                pg_stat_get_xact_tuples_updated('ledger_balances'::regclass)::text as balances`,
      );
      return { holds: Number(rows[0]!.holds), balances: Number(rows[0]!.balances) };
    };
    const before = await updates();
    await client.query(
      `select * from ledger_commit_holds($1::bigint[], $2::text[], 'payout_settle', $3::jsonb[], $4::text[], $5::text[],
                                         $6::text[], $7::text[], $8::text[], $9::text[], $10::boolean[])`,
      [
        holds.map((h) => h.id.toString()),
        holds.map((h) => `once-commit-${h.id}`),
        holds.map(() => "{}"),
        holds.map(() => null),
        holds.map((h) => `hash-${h.id}`),
        holds.map(() => to.code),
        holds.map(() => to.ownerType),
        holds.map(() => to.ownerId),
        holds.map(() => to.purpose),
        holds.map(() => to.allowNegative),
      ],
    );
    const after = await updates();
    // Two holds; the wallet and the clearing account.
    expect({ holds: after.holds - before.holds, balances: after.balances - before.balances }).toEqual({ holds: 2, balances: 2 });
    await client.query("commit");
  } catch (error) {
    await client.query("rollback");
    throw error;
  } finally {
    client.release();
  }
  expect(await balance(wallet)).toMatchObject({ posted: 650n, held: 0n, available: 650n });
  const committed = await db.ledgerHold.findMany({ where: { id: { in: holds.map((h) => h.id) } } });
  expect(committed.map((h) => [h.status, h.commitTransactionId !== null])).toEqual([
    ["committed", true],
    ["committed", true],
  ]);
  expect((await verifyLedger(db)).ok).toBe(true);
});

test("ledger_commit_holds refuses a destination in another currency than the hold, as the postings trigger did, and posts balanced transactions otherwise", async () => {
  const db = database.db;
  const wallet = await fund("batch-currency", 1_000n);
  // An account whose code names KES but which holds USD (written by hand: the domain never
  // makes one): only its rows say so, and the commit resolves the destination by code.
  await db.$pool.query(`select ledger_ensure_accounts(array['platform:oddity:KES'], array['platform'], array['oddity'],
                                                      array['operating'], array['USD'], array[false])`);
  const held = await createHold(db, { idempotencyKey: "currency-1", account: wallet, amount: 100n, currency: "KES" });
  const commit = (to: string, key: string) => {
    const code = parseAccountCode(to);
    return db.$pool.query<{ transaction_id: string }>(
      `select transaction_id::text from ledger_commit_holds(array[$1::bigint], array[$2::text], 'payout_settle', array['{}'::jsonb],
         array[null::text], array['hash'], array[$3::text], array[$4::text], array[$5::text], array[$6::text], array[$7::boolean])`,
      [held.id.toString(), key, code.code, code.ownerType, code.ownerId, code.purpose, code.allowNegative],
    );
  };
  await expect(commit("platform:oddity:KES", "currency-commit-bad")).rejects.toMatchObject({ code: "23503" });
  expect(await db.ledgerTransaction.count({ where: { idempotencyKey: "currency-commit-bad" } })).toBe(0);
  expect(await db.ledgerHold.findUniqueOrThrow({ where: { id: held.id } })).toMatchObject({ status: "pending" });

  const { rows } = await commit(payoutsInFlightAccount("KES"), "currency-commit-ok");
  const postings = await db.ledgerPosting.findMany({ where: { transactionId: BigInt(rows[0]!.transaction_id) } });
  expect(postings.map((p) => [p.amount, p.currency]).sort()).toEqual([[-100n, "KES"], [100n, "KES"]]);
  expect(await db.$pool.query("select 1 from ledger_balance_checks")).toMatchObject({ rowCount: 0 });
  expect((await verifyLedger(db)).ok).toBe(true);
});
