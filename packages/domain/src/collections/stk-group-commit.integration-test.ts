import { DomainError } from "@agrinet/core";
import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { afterAll, beforeAll, expect, test } from "vitest";
import { confirmDepositInTx, confirmDepositsInTx } from "../deposits/confirm-deposit";
import { newDepositId } from "../deposits/create-deposit";
import { getAccountBalance, externalAccount, verifyLedger } from "../ledger";
import { newMpesaPaymentId, recordStkPushesAccepted } from "@agrinet/stores/mpesa-payments";
import { applyStkAnswer, applyStkAnswers } from "./stk-deposits";

let database: TestDatabase;
let sequence = 0;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});

async function pendingStkDeposit(amount = 100_000n) {
  const n = ++sequence;
  const depositId = newDepositId();
  const checkoutRequestId = `ws_CO_group_${n}`;
  await database.db.deposit.create({
    data: { id: depositId, partnerId: "partner_default", userId: `user_group_${n % 7}`, amount, currency: "KES", method: "mpesa", reference: `group-${n}` },
  });
  await database.db.mpesaPayment.create({
    data: {
      id: newMpesaPaymentId(),
      kind: "stk",
      depositId,
      checkoutRequestId,
      phoneNumber: "+254712345678",
      requestedAmount: amount,
      currency: "KES",
      state: "sent",
      nextQueryAt: new Date(Date.now() + 60_000),
    },
  });
  return { depositId, checkoutRequestId, receipt: `GRP${n}RCPT` };
}

test("callbacks arriving together are credited in shared transactions through the one deposit credit, each once, with its own ids and event", async () => {
  const { db } = database;
  const clearing = externalAccount("mpesa", "KES");
  const clearingBefore = (await getAccountBalance(db, { account: clearing }).catch(() => ({ posted: 0n }))).posted;
  const deposits = await Promise.all(Array.from({ length: 40 }, () => pendingStkDeposit()));

  const results = await Promise.all(
    deposits.map(({ depositId, checkoutRequestId, receipt }) =>
      applyStkAnswer(db, {
        depositId,
        answer: { source: "callback", checkoutRequestId, resultCode: "0", resultDesc: "ok", amount: 1000, receipt, phoneNumber: "254712345678", raw: { receipt } },
      }),
    ),
  );
  expect(results.map((result) => result.outcome)).toEqual(deposits.map(() => "confirmed"));

  const ids = deposits.map((deposit) => deposit.depositId);
  const credits = await db.$queryRaw<Array<{ id: bigint; depositId: string; writer: string }>>`
    select id, metadata ->> 'depositId' as "depositId", xmin::text as writer from ledger_transactions
    where idempotency_key = any(${ids.map((id) => `deposit:${id}`)}::text[])`;
  expect(credits).toHaveLength(40);
  // Group commit: the 40 credits were written by fewer transactions than callbacks (one per
  // callback before), while each deposit still got exactly its own credit.
  expect(new Set(credits.map((credit) => credit.writer)).size).toBeLessThan(40);

  const stored = await db.deposit.findMany({ where: { id: { in: ids } }, include: { mpesaPayment: true } });
  const postings = await db.$queryRaw<Array<{ id: bigint; transactionId: bigint }>>`
    select id, transaction_id as "transactionId" from ledger_postings where transaction_id = any(${credits.map((c) => c.id)}::bigint[])`;
  for (const deposit of stored) {
    const credit = credits.find((c) => c.depositId === deposit.id)!;
    expect(deposit).toMatchObject({ status: "confirmed", confirmedBy: "mpesa", ledgerTransactionId: credit.id.toString() });
    expect([...deposit.ledgerEntryIds].sort()).toEqual(
      postings.filter((p) => p.transactionId === credit.id).map((p) => p.id.toString()).sort(),
    );
    const source = deposits.find((d) => d.depositId === deposit.id)!;
    expect(deposit.mpesaPayment).toMatchObject({ state: "paid", receipt: source.receipt, amount: 100_000n, nextQueryAt: null, resultCode: "0" });
    expect((deposit.mpesaPayment!.callbacks as unknown[]).length).toBe(1);
  }
  const events = await db.domainEvent.findMany({ where: { type: "deposit.confirmed", aggregateId: { in: ids } } });
  expect(events.map((event) => event.aggregateId).sort()).toEqual([...ids].sort());
  const clearingAfter = (await getAccountBalance(db, { account: clearing })).posted;
  expect(clearingBefore - clearingAfter).toBe(40n * 100_000n);

  // Every callback again, all at once: nothing more is credited.
  await Promise.all(
    deposits.map(({ depositId, checkoutRequestId, receipt }) =>
      applyStkAnswer(db, {
        depositId,
        answer: { source: "callback", checkoutRequestId, resultCode: "0", resultDesc: "ok", amount: 1000, receipt, phoneNumber: "254712345678", raw: {} },
      }),
    ),
  );
  expect((await getAccountBalance(db, { account: clearing })).posted).toBe(clearingAfter);
  expect((await verifyLedger(db)).ok).toBe(true);
});

test("a batch of confirmations answers item by item: a repeated or confirmed deposit conflicts, a missing one is not found, the rest are credited once", async () => {
  const { db } = database;
  const [first, second, confirmed] = await Promise.all([pendingStkDeposit(), pendingStkDeposit(250_000n), pendingStkDeposit()]);
  // A batch of one, as staff confirm by hand: the same function.
  await db.$transaction((tx) => confirmDepositInTx(tx, { depositId: confirmed.depositId, confirmedBy: "staff", evidenceUrl: "https://example.test/slip" }));

  const results = await db.$transaction((tx) =>
    confirmDepositsInTx(tx, [
      { depositId: first.depositId, confirmedBy: "mpesa" },
      { depositId: second.depositId, confirmedBy: "mpesa" },
      { depositId: first.depositId, confirmedBy: "mpesa" },
      { depositId: confirmed.depositId, confirmedBy: "mpesa" },
      { depositId: "dep_missing", confirmedBy: "mpesa" },
    ]),
  );
  const codes = results.map((result) => (result.ok ? "ok" : result.error instanceof DomainError ? result.error.code : "?"));
  expect(codes).toEqual(["ok", "ok", "INVALID_STATE", "INVALID_STATE", "NOT_FOUND"]);
  const [one, two] = results as Array<Extract<(typeof results)[number], { ok: true }>>;
  expect(one!.confirmed.deposit).toMatchObject({ id: first.depositId, status: "confirmed", ledgerTransactionId: one!.confirmed.ledgerTransaction!.id.toString() });
  expect(two!.confirmed.ledgerTransaction!.postings.map((p) => p.amount)).toEqual([-250_000n, 250_000n]);
  // What the batch returned is what it stored.
  expect(await db.deposit.findUniqueOrThrow({ where: { id: second.depositId } })).toMatchObject({
    ledgerTransactionId: two!.confirmed.deposit.ledgerTransactionId,
    ledgerEntryIds: two!.confirmed.deposit.ledgerEntryIds,
  });
  const [counted] = await db.$queryRaw<Array<{ n: bigint }>>`
    select count(*) as n from ledger_transactions
    where idempotency_key = any(${[first, second, confirmed].map((d) => `deposit:${d.depositId}`)}::text[])`;
  expect(Number(counted!.n)).toBe(3);
  expect(await db.domainEvent.count({ where: { type: "deposit.confirmed", aggregateId: { in: [first.depositId, second.depositId, confirmed.depositId] } } })).toBe(3);
});

test("recording accepted pushes locks their payments in id order, the order a batch of STK answers takes them in", async () => {
  const { db } = database;
  const [first, second] = await Promise.all([pendingStkDeposit(), pendingStkDeposit()]);
  const payments = await db.mpesaPayment.findMany({
    where: { depositId: { in: [first!.depositId, second!.depositId] } },
    orderBy: { id: "asc" },
  });
  const [lower, higher] = payments.map((payment) => payment.id);
  const holder = await db.$pool.connect();
  try {
    // Another transaction holds the lower id, as a batch of answers taking both would first.
    await holder.query("begin");
    await holder.query("select id from mpesa_payments where id = $1 for update", [lower]);
    // The pushes come in the other order: taken in that order, the statement would hold the
    // higher id while it waits for the lower one, and the holder's next lock would deadlock.
    const accepted = recordStkPushesAccepted(db.$pool, [
      { id: higher!, checkoutRequestId: "ws_CO_order_2", merchantRequestId: "m2" },
      { id: lower!, checkoutRequestId: "ws_CO_order_1", merchantRequestId: "m1" },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await expect(holder.query("select id from mpesa_payments where id = $1 for update nowait", [higher])).resolves.toMatchObject({ rowCount: 1 });
    await holder.query("commit");
    // Both deposits are still pending: no settled deposit to return.
    expect((await accepted).size).toBe(0);
  } finally {
    holder.release();
  }
});

test("a batch of STK answers that credits its deposits is six statements: begin, lock, the answers, the credit, the confirmations with their events, commit", async () => {
  const { db } = database;
  const deposits = await Promise.all(Array.from({ length: 5 }, () => pendingStkDeposit()));
  const statements: string[] = [];
  const connect = db.$pool.connect.bind(db.$pool);
  db.$pool.connect = (async () => {
    const client = await connect();
    const query = client.query;
    client.query = ((config: unknown, ...rest: unknown[]) => {
      statements.push(typeof config === "string" ? config : String((config as { name?: string; text?: string }).name ?? (config as { text?: string }).text));
      return (query as (...args: unknown[]) => unknown).call(client, config, ...rest);
    }) as typeof client.query;
    const release = client.release;
    client.release = ((error?: Error | boolean) => {
      client.query = query;
      client.release = release;
      return release.call(client, error);
    }) as typeof client.release;
    return client;
  }) as typeof db.$pool.connect;
  try {
    const results = await applyStkAnswers(
      db,
      deposits.map(({ depositId, checkoutRequestId, receipt }) => ({
        depositId,
        answer: { source: "callback", checkoutRequestId, resultCode: "0", resultDesc: "ok", amount: 1000, receipt, phoneNumber: "254712345678", raw: {} },
      })),
    );
    expect(results.map((result) => result.outcome)).toEqual(deposits.map(() => "confirmed"));
  } finally {
    db.$pool.connect = connect as typeof db.$pool.connect;
  }
  expect(statements).toEqual([
    "begin",
    "mpesa-lock-stk-answer-rows",
    "mpesa-write-stk-answers",
    "ledger-post-batch",
    "deposits-record-confirmations",
    "commit",
  ]);
});
