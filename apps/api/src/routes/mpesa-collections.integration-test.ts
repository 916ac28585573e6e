import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { dispatchDomainEventsThrough, getAccountBalance, suspenseAccount, sweepStkQueries, userWalletAccount, verifyLedger } from "@agrinet/domain";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { eventually, startCollectionsHarness, type CollectionsHarness } from "../testing/collections-harness";

/**
 * The elements of an array parameter as the stores send it (`textArrayLiteral`): PostgreSQL's
 * text syntax, every element in double quotes with `"` and `\` backslash-escaped, as in JSON.
 */
function arrayElements(literal: unknown): string[] {
  return JSON.parse(`[${(literal as string).slice(1, -1)}]`) as string[];
}

let database: TestDatabase;
let harness: CollectionsHarness;
let sequence = 0;

beforeAll(async () => {
  database = await createTestDatabase();
  harness = await startCollectionsHarness({ db: database.db, databaseUrl: database.url, stkTimeoutMs: 200, stkMaxQueries: 3 });
});
afterAll(async () => {
  await harness?.stop();
  await database?.drop();
});

async function stkDeposit(phoneNumber: string, amount = 150_000, userId = "user_stk") {
  sequence += 1;
  const created = await harness.caller().deposits.create({
    userId,
    amount,
    currency: "KES",
    method: "mpesa",
    reference: `stk-test-${sequence}`,
    phoneNumber,
  });
  const checkoutRequestId = created.nextAction?.type === "mpesa_stk_push" ? created.nextAction.checkoutRequestId : "";
  return { ...created, checkoutRequestId };
}

const depositOf = (id: string) => harness.db.deposit.findUniqueOrThrow({ where: { id }, include: { mpesaPayment: true } });
const settled = (id: string) => eventually(async () => {
  const deposit = await depositOf(id);
  return deposit.status !== "pending" ? deposit : undefined;
});
const creditsFor = (depositId: string) =>
  harness.db.$queryRaw<Array<{ n: bigint }>>`select count(*) as n from ledger_transactions where metadata ->> 'depositId' = ${depositId}`.then(
    (rows) => Number(rows[0]!.n),
  );
const balance = async (account: string) => (await getAccountBalance(harness.db, { account }).catch(() => ({ posted: 0n }))).posted;
const dueNow = () => harness.db.$executeRaw`update mpesa_payments set next_query_at = now() where next_query_at is not null`;
const sweep = () => sweepStkQueries({ db: harness.db, settings: harness.settings });

describe("STK Push deposits", () => {
  test("a paying number: pending with nextAction, then confirmed by the callback with the receipt and one credit", async () => {
    const before = await balance(userWalletAccount("user_stk", "KES"));
    const created = await stkDeposit("+254712345678");
    expect(created.status).toBe("pending");
    expect(created.nextAction).toEqual({ type: "mpesa_stk_push", checkoutRequestId: expect.stringMatching(/^ws_CO_/) });
    const deposit = await settled(created.id);
    expect(deposit).toMatchObject({ status: "confirmed", confirmedBy: "mpesa", ledgerTransactionId: expect.any(String) });
    const paid = harness.sandbox.stkPayments().find((p) => p.checkoutRequestId === created.checkoutRequestId)!;
    expect(deposit.mpesaPayment).toMatchObject({ state: "paid", receipt: paid.receipt, amount: 150_000n, nextQueryAt: null });
    expect(await creditsFor(created.id)).toBe(1);
    expect((await balance(userWalletAccount("user_stk", "KES"))) - before).toBe(150_000n);
    // The API returns the payment with the deposit.
    const read = await harness.caller().deposits.get({ depositId: created.id });
    expect(read.mpesaPayment).toMatchObject({ receipt: paid.receipt, state: "paid" });
  });

  test("a deposit into a contract confirmed by its callback funds the escrow (open → funded) with one credit and one escrow.funded event", async () => {
    await harness.db.contract.create({
      data: { partnerId: "partner_default", id: "contract_stk", consumerId: "user_stk_buyer", producerId: "user_stk_prod", currency: "KES", expectedAmount: 300_000n, ratingWindowEndsAt: new Date(Date.now() + 86_400_000) },
    });
    sequence += 1;
    const created = await harness.caller().deposits.create({
      userId: "user_stk_buyer",
      amount: 300_000,
      currency: "KES",
      method: "mpesa",
      reference: `stk-test-${sequence}`,
      phoneNumber: "+254712345670",
      metadata: { contractId: "contract_stk" },
    });
    const deposit = await settled(created.id);
    expect(deposit).toMatchObject({ status: "confirmed", confirmedBy: "mpesa", contractId: "contract_stk" });
    expect(await creditsFor(created.id)).toBe(1);
    expect(await balance("contract:contract_stk:escrow:KES")).toBe(300_000n);
    expect(await harness.db.contract.findUniqueOrThrow({ where: { id: "contract_stk" } })).toMatchObject({ status: "funded", settledAmount: 0n });
    const events = await harness.db.domainEvent.findMany({ where: { aggregateId: "contract_stk" } });
    expect(events.map((event) => [event.type, (event.payload as { depositId?: string }).depositId])).toEqual([["escrow.funded", created.id]]);
  });

  test("requests arriving together share the deposits' insert statement, which writes their payments too; each keeps its own payment", async () => {
    const pool = harness.db.$pool;
    const query = pool.query;
    const inserts: string[][] = [];
    pool.query = ((config: unknown, ...rest: unknown[]) => {
      if (config && typeof config === "object" && "name" in config && config.name === "insert-pending-deposits") {
        // The STK payments' deposit ids.
        inserts.push(arrayElements((config as unknown as { values: unknown[] }).values[12]));
      }
      return (query as (...args: unknown[]) => unknown).call(pool, config, ...rest);
    }) as typeof pool.query;
    let created: Array<Awaited<ReturnType<typeof stkDeposit>>>;
    try {
      created = await Promise.all(Array.from({ length: 20 }, (_, i) => stkDeposit(`+2547${String(30_000_000 + i)}`, 150_000, `user_batch_${i % 3}`)));
    } finally {
      pool.query = query;
    }
    expect(inserts.length).toBeGreaterThan(0);
    expect(inserts.length).toBeLessThan(20);
    // Every payment row went in its deposit's statement: a request waits for one commit before its push.
    expect(inserts.flat().sort()).toEqual(created.map((deposit) => deposit.id).sort());
    // Each request still has its own payment and answer, and is credited once.
    expect(new Set(created.map((deposit) => deposit.checkoutRequestId)).size).toBe(20);
    for (const deposit of created) {
      expect((await settled(deposit.id)).mpesaPayment).toMatchObject({ checkoutRequestId: deposit.checkoutRequestId, state: "paid" });
      expect(await creditsFor(deposit.id)).toBe(1);
    }
  });

  test("an STK deposit whose reference is taken answers DUPLICATE_REFERENCE and writes no payment and sends no push", async () => {
    const first = await stkDeposit("+254712345678", 120_000, "user_stk_dup");
    const pushes = harness.sandbox.stkPayments().length;
    const again = harness.caller().deposits.create({
      userId: "user_stk_dup",
      amount: 120_000,
      currency: "KES",
      method: "mpesa",
      reference: `stk-test-${sequence}`,
      phoneNumber: "+254712345679",
    });
    await expect(again).rejects.toMatchObject({ cause: { code: "DUPLICATE_REFERENCE", details: { depositId: first.id } } });
    expect(harness.sandbox.stkPayments().length).toBe(pushes);
    expect(await harness.db.mpesaPayment.count({ where: { phoneNumber: "+254712345679" } })).toBe(0);
    expect(await harness.db.mpesaPayment.count({ where: { depositId: first.id } })).toBe(1);
  });

  test("each second's STK Query sweep job is scheduled once per process, and every payment's query has one at or after it", async () => {
    const pool = harness.db.$pool;
    const query = pool.query;
    const scheduled: string[] = [];
    pool.query = ((config: unknown, ...rest: unknown[]) => {
      if (config && typeof config === "object" && "name" in config && config.name === "insert-pending-deposits") {
        scheduled.push(...arrayElements((config as unknown as { values: unknown[] }).values[17]).map((slot) => new Date(slot).toISOString()));
      }
      return (query as (...args: unknown[]) => unknown).call(pool, config, ...rest);
    }) as typeof pool.query;
    const created: Array<Awaited<ReturnType<typeof stkDeposit>>> = [];
    // Queries due a minute out: their jobs cannot have run while the requests go on.
    const timeoutMs = harness.settings.stkTimeoutMs;
    harness.settings.stkTimeoutMs = 60_000;
    try {
      // One after the other (each its own insert statement); +254700000015 never calls back.
      for (let i = 0; i < 6; i++) created.push(await stkDeposit("+254700000015", 110_000, `user_slots_${i}`));
    } finally {
      pool.query = query;
      harness.settings.stkTimeoutMs = timeoutMs;
    }
    const payments = await harness.db.mpesaPayment.findMany({ where: { depositId: { in: created.map((deposit) => deposit.id) } } });
    const slots = new Set(payments.map((payment) => Math.ceil(payment.nextQueryAt!.getTime() / 1000) * 1000));
    expect(scheduled.length).toBe(slots.size);
    expect(new Set(scheduled).size).toBe(scheduled.length);
    const jobs = await harness.db.$queryRaw<Array<{ run_at: Date }>>`
      select j.run_at from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
      where t.identifier = 'mpesa:stk-sweep'`;
    for (const payment of payments) {
      const at = payment.nextQueryAt!.getTime();
      expect(jobs.some((job) => job.run_at.getTime() >= at && job.run_at.getTime() - at < 1_000)).toBe(true);
    }
  });

  test.each([
    ["+254700000011", "1032", "cancelled", /cancelled/],
    ["+254700000012", "2001", "failed", /wrong M-Pesa PIN/],
    ["+254700000013", "1037", "no_answer", /could not be reached/],
    ["+254700000014", "1", "failed", /insufficient/],
  ])("%s ends failed with result code %s and a plain reason", async (phone, code, state, reason) => {
    const created = await stkDeposit(phone);
    const deposit = await settled(created.id);
    expect(deposit).toMatchObject({ status: "failed", failureCode: code, ledgerTransactionId: null });
    expect(deposit.failureReason).toMatch(reason);
    expect(deposit.mpesaPayment!.state).toBe(state);
    expect(await creditsFor(created.id)).toBe(0);
  });

  test("no callback: still pending until the sweeper asks STK Query, then confirmed once", async () => {
    const created = await stkDeposit("+254700000015");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await depositOf(created.id)).status).toBe("pending");
    await dueNow();
    const result = await sweep();
    expect(result.settled).toBeGreaterThanOrEqual(1);
    const deposit = await depositOf(created.id);
    expect(deposit).toMatchObject({ status: "confirmed", confirmedBy: "mpesa" });
    expect(deposit.mpesaPayment).toMatchObject({ state: "paid", receipt: null, nextQueryAt: null });
    await dueNow();
    await sweep();
    expect(await creditsFor(created.id)).toBe(1);
  });

  test("duplicate callbacks credit once; both are kept as received", async () => {
    const created = await stkDeposit("+254700000016");
    await settled(created.id);
    const deposit = await eventually(async () => {
      const read = await depositOf(created.id);
      return (read.mpesaPayment!.callbacks as unknown[]).length === 2 ? read : undefined;
    });
    expect(deposit.status).toBe("confirmed");
    expect(await creditsFor(created.id)).toBe(1);
  });

  test("a callback and a query racing, replayed many times: one credit", async () => {
    const created = await stkDeposit("+254700000017");
    const checkoutRequestId = created.checkoutRequestId;
    const paid = await eventually(async () => harness.sandbox.stkPayments().find((p) => p.checkoutRequestId === checkoutRequestId));
    const body = JSON.stringify({
      Body: {
        stkCallback: {
          MerchantRequestID: paid.merchantRequestId,
          CheckoutRequestID: checkoutRequestId,
          ResultCode: 0,
          ResultDesc: "ok",
          CallbackMetadata: { Item: [{ Name: "Amount", Value: 1500 }, { Name: "MpesaReceiptNumber", Value: paid.receipt }, { Name: "PhoneNumber", Value: 254700000017 }] },
        },
      },
    });
    const url = `/payments/mpesa/stk/callback?token=${encodeURIComponent(harness.env.MPESA_CALLBACK_TOKEN!)}&depositId=${created.id}`;
    await dueNow();
    const answers = await Promise.all([
      ...Array.from({ length: 8 }, () => harness.api.inject({ method: "POST", url, headers: { "content-type": "application/json" }, payload: body })),
      sweep(),
      sweep(),
    ]);
    for (const answer of answers.slice(0, 8)) expect((answer as { statusCode: number }).statusCode).toBe(200);
    const deposit = await settled(created.id);
    expect(deposit.status).toBe("confirmed");
    expect(await creditsFor(created.id)).toBe(1);
    // The slow sandbox callback arrives later still: nothing changes.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await creditsFor(created.id)).toBe(1);
  });

  test("a different amount paid: the deposit fails, the money goes to suspense and the exceptions queue", async () => {
    const suspenseBefore = await balance(suspenseAccount("mpesa", "KES"));
    const created = await stkDeposit("+254700000018", 200_000);
    const deposit = await settled(created.id);
    expect(deposit).toMatchObject({ status: "failed", failureCode: "MPESA_MISMATCH" });
    expect(deposit.mpesaPayment).toMatchObject({ exception: "open", amount: 199_900n });
    expect((await balance(suspenseAccount("mpesa", "KES"))) - suspenseBefore).toBe(199_900n);
    const queue = await harness.caller().mpesa.listUnmatched({ limit: 50 });
    expect(queue.items.map((p) => p.id)).toContain(deposit.mpesaPayment!.id);
  });

  test("a forged callback (wrong token) is refused and changes nothing", async () => {
    const response = await harness.api.inject({
      method: "POST",
      url: "/payments/mpesa/stk/callback?token=wrong-token-value-123",
      headers: { "content-type": "application/json" },
      payload: { Body: { stkCallback: { CheckoutRequestID: "x", ResultCode: 0 } } },
    });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({ ResultCode: 1, ResultDesc: "callback token missing or wrong" });
  });

  test("without a phoneNumber an mpesa deposit keeps the manual flow; a phone in another country's currency is refused", async () => {
    const manual = await harness.caller().deposits.create({ userId: "user_stk", amount: 150_000, currency: "KES", method: "mpesa", reference: "manual-1" });
    expect(manual).toMatchObject({ status: "pending", nextAction: null });
    expect(await harness.db.mpesaPayment.count({ where: { depositId: manual.id } })).toBe(0);
    await expect(stkDeposit("+255712345678")).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});

describe("C2B paybill", () => {
  const simulate = async (billRefNumber: string, amount = 2_500, msisdn = "254712345678") => {
    const token = await fetch(`${harness.sandbox.url}/oauth/v1/generate?grant_type=client_credentials`, {
      headers: { authorization: `Basic ${Buffer.from("k:s").toString("base64")}` },
    }).then((r) => r.json() as Promise<{ access_token: string }>);
    const response = await fetch(`${harness.sandbox.url}/mpesa/c2b/v1/simulate`, {
      method: "POST",
      headers: { authorization: `Bearer ${token.access_token}`, "content-type": "application/json" },
      body: JSON.stringify({ ShortCode: "600996", CommandID: "CustomerPayBillOnline", Amount: amount, Msisdn: msisdn, BillRefNumber: billRefNumber }),
    });
    expect(response.status).toBe(200);
    return eventually(async () => harness.sandbox.c2bPayments().find((p) => p.billRefNumber === billRefNumber && p.amount === amount));
  };
  const paymentOf = (transId: string) => eventually(async () => {
    const row = await harness.db.mpesaPayment.findUnique({ where: { receipt: transId }, include: { deposit: true } });
    return row?.state === "paid" ? row : undefined;
  });

  test("a user's paybill account number: validation accepts, the confirmation is a confirmed mpesa deposit with the receipt", async () => {
    const account = await harness.caller().mpesa.paybillAccount({ userId: "user_c2b" });
    expect(account.accountNumber).toMatch(/^\d{8}$/);
    expect(await harness.caller().mpesa.paybillAccount({ userId: "user_c2b" })).toEqual(account);
    const paid = await simulate(account.accountNumber);
    expect(paid.state).toBe("accepted");
    const payment = await paymentOf(paid.transId);
    expect(payment.deposit).toMatchObject({ status: "confirmed", method: "mpesa", userId: "user_c2b", amount: 250_000n, confirmedBy: "mpesa", reference: `mpesa:${paid.transId}` });
    expect(payment.exception).toBeNull();
    expect(await balance(userWalletAccount("user_c2b", "KES"))).toBe(250_000n);
  });

  test("an unknown account is rejected at validation with C2B00012 (reject mode): nothing is taken", async () => {
    const paid = await simulate("NOBODY-123");
    expect(paid).toMatchObject({ state: "rejected", validationResultCode: "C2B00012" });
    const row = await harness.db.mpesaPayment.findUniqueOrThrow({ where: { receipt: paid.transId } });
    expect(row).toMatchObject({ state: "rejected", exception: null, suspenseTransactionId: null });
  });

  test("suspense mode: an unknown account is accepted, credited to suspense and queued for staff", async () => {
    harness.c2b.unknownAccounts = "suspense";
    try {
      const suspenseBefore = await balance(suspenseAccount("mpesa", "KES"));
      const paid = await simulate("NOSUCH42", 700);
      expect(paid).toMatchObject({ state: "accepted", validationResultCode: "0" });
      const payment = await paymentOf(paid.transId);
      expect(payment).toMatchObject({ exception: "open", depositId: null, amount: 70_000n });
      expect(payment.exceptionReason).toMatch(/names no user or open contract/);
      expect((await balance(suspenseAccount("mpesa", "KES"))) - suspenseBefore).toBe(70_000n);
      const queue = await harness.caller().mpesa.listUnmatched({ limit: 50 });
      expect(queue.items.find((p) => p.id === payment.id)).toMatchObject({ receipt: paid.transId, accountReference: "NOSUCH42" });

      // Staff hear of it live; the event names no user, so no user's stream or partner's webhook gets it.
      const events = await harness.db.domainEvent.findMany({ where: { aggregateType: "mpesa_payment", aggregateId: payment.id } });
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        type: "mpesa.unmatched",
        userIds: [],
        payload: { paymentId: payment.id, kind: "c2b", amount: "70000", currency: "KES", receipt: paid.transId, accountReference: "NOSUCH42" },
      });
      await dispatchDomainEventsThrough({ db: harness.db, eventId: events[0]!.id });
      const notifications = await harness.db.notification.findMany({ where: { eventId: events[0]!.id } });
      expect(notifications.map((n) => [n.audience, n.recipientId, n.type])).toEqual([["staff", "staff", "mpesa.unmatched"]]);
      expect(await harness.db.webhookDelivery.count({ where: { eventId: events[0]!.id } })).toBe(0);
    } finally {
      harness.c2b.unknownAccounts = "reject";
    }
  });

  test("a contract's account number funds its escrow", async () => {
    await harness.db.contract.create({
      data: { partnerId: "partner_default", id: "contract_c2b", consumerId: "user_c2b_buyer", producerId: "user_c2b_prod", currency: "KES", expectedAmount: 500_000n, ratingWindowEndsAt: new Date(Date.now() + 86_400_000) },
    });
    const account = await harness.caller().mpesa.paybillAccount({ contractId: "contract_c2b" });
    const paid = await simulate(account.accountNumber, 5_000);
    const payment = await paymentOf(paid.transId);
    expect(payment.deposit).toMatchObject({ status: "confirmed", contractId: "contract_c2b", userId: "user_c2b_buyer" });
    expect(await balance("contract:contract_c2b:escrow:KES")).toBe(500_000n);
  });

  test("a duplicated confirmation credits once; a confirmation without validation goes to suspense", async () => {
    const account = await harness.caller().mpesa.paybillAccount({ userId: "user_c2b_dup" });
    const twice = await simulate(account.accountNumber, 3_000, "254700000020");
    const payment = await paymentOf(twice.transId);
    await eventually(async () => {
      const row = await harness.db.mpesaPayment.findUniqueOrThrow({ where: { id: payment.id } });
      return (row.callbacks as unknown[]).length === 3 ? row : undefined;
    });
    expect(await creditsFor(payment.depositId!)).toBe(1);
    expect(await balance(userWalletAccount("user_c2b_dup", "KES"))).toBe(300_000n);

    const unvalidated = await simulate(account.accountNumber, 4_000, "254700000019");
    const suspended = await paymentOf(unvalidated.transId);
    expect(suspended).toMatchObject({ exception: "open", exceptionReason: "a confirmation without a validation", depositId: null });
  });
});

describe("the exceptions queue", () => {
  test("assign moves the money out of suspense into the user's wallet as a confirmed deposit, audited, once", async () => {
    const created = await stkDeposit("+254700000018", 300_000, "user_mismatch");
    const { mpesaPayment } = await settled(created.id);
    const suspenseBefore = await balance(suspenseAccount("mpesa", "KES"));
    const [first, second] = await Promise.allSettled([
      harness.caller().mpesa.assignUnmatched({ paymentId: mpesaPayment!.id, userId: "user_mismatch" }),
      harness.caller().mpesa.assignUnmatched({ paymentId: mpesaPayment!.id, userId: "user_mismatch" }),
    ]);
    expect([first.status, second.status].sort()).toEqual(["fulfilled", "rejected"]);
    const assigned = (first.status === "fulfilled" ? first.value : (second as PromiseFulfilledResult<never>).value) as { deposit: { id: string } };
    expect(await balance(userWalletAccount("user_mismatch", "KES"))).toBe(299_900n);
    expect(suspenseBefore - (await balance(suspenseAccount("mpesa", "KES")))).toBe(299_900n);
    const deposit = await depositOf(assigned.deposit.id);
    expect(deposit).toMatchObject({ status: "confirmed", method: "mpesa", confirmedBy: "staff:staff_admin" });
    const audit = await harness.db.auditLog.findFirstOrThrow({ where: { target: `mpesa_payment:${mpesaPayment!.id}` } });
    expect(audit.action).toBe("mpesa.unmatched.assigned");
    expect((await harness.db.mpesaPayment.findUniqueOrThrow({ where: { id: mpesaPayment!.id } })).exception).toBe("assigned");
  });

  test("return reverses the payment through Daraja; the result takes it out of suspense, once", async () => {
    const created = await stkDeposit("+254700000018", 400_000, "user_return");
    const { mpesaPayment } = await settled(created.id);
    const suspenseBefore = await balance(suspenseAccount("mpesa", "KES"));
    const returning = await harness.caller().mpesa.returnUnmatched({ paymentId: mpesaPayment!.id });
    // The sandbox's result may arrive before this answer is read back: either state is honest.
    expect(["returning", "returned"]).toContain(returning.exception);
    expect(returning.resolvedBy).toBe("staff:staff_admin");
    const returned = await eventually(async () => {
      const row = await harness.db.mpesaPayment.findUniqueOrThrow({ where: { id: mpesaPayment!.id } });
      return row.exception === "returned" ? row : undefined;
    });
    expect(returned.resolvedBy).toBe("staff:staff_admin");
    expect(suspenseBefore - (await balance(suspenseAccount("mpesa", "KES")))).toBe(399_900n);
    expect(harness.sandbox.reversals().filter((r) => r.transactionId === mpesaPayment!.receipt)).toHaveLength(1);
    await expect(harness.caller().mpesa.returnUnmatched({ paymentId: mpesaPayment!.id })).rejects.toMatchObject({ code: "CONFLICT" });
  });

  test("the ledger verifies after everything above", async () => {
    expect((await verifyLedger(harness.db)).ok).toBe(true);
  });
});
