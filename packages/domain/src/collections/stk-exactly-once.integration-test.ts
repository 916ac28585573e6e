import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import fc from "fast-check";
import { afterAll, beforeAll, expect, test } from "vitest";
import { newDepositId } from "../deposits/create-deposit";
import { verifyLedger } from "../ledger";
import { newMpesaPaymentId } from "@agrinet/stores/mpesa-payments";
import { applyStkAnswer, type StkAnswer } from "./stk-deposits";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});

/** What M-Pesa may say about one STK Push, any number of times, in any order, at once. */
const answerKind = fc.constantFrom("paid-callback", "paid-query", "cancelled-callback", "cancelled-query", "other-receipt", "wrong-amount");

test("whatever M-Pesa says, in any order and number, concurrently: at most one credit per payment and per receipt", async () => {
  const { db } = database;
  let run = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(answerKind, { minLength: 1, maxLength: 10 }), fc.boolean(), async (kinds, checkoutKnown) => {
      run += 1;
      const depositId = newDepositId();
      const paymentId = newMpesaPaymentId();
      const checkoutRequestId = `ws_CO_prop_${run}`;
      const receipt = `PROP${run}RCPT`;
      await db.deposit.create({
        data: { partnerId: "partner_default", id: depositId, userId: "user_prop", amount: 100_000n, currency: "KES", method: "mpesa", reference: `prop-${run}` },
      });
      await db.mpesaPayment.create({
        data: {
          id: paymentId,
          kind: "stk",
          depositId,
          checkoutRequestId: checkoutKnown ? checkoutRequestId : null,
          phoneNumber: "+254712345678",
          requestedAmount: 100_000n,
          currency: "KES",
          state: checkoutKnown ? "sent" : "requesting",
          nextQueryAt: new Date(),
        },
      });
      const answer = (kind: string): StkAnswer => {
        const base = { checkoutRequestId, merchantRequestId: "m", raw: { kind } };
        switch (kind) {
          case "paid-callback":
            return { ...base, source: "callback", resultCode: "0", resultDesc: "ok", amount: 1000, receipt, phoneNumber: "254712345678" };
          case "paid-query":
            return { ...base, source: "query", resultCode: "0", resultDesc: "ok" };
          case "cancelled-callback":
            return { ...base, source: "callback", resultCode: "1032", resultDesc: "Request cancelled by user" };
          case "cancelled-query":
            return { ...base, source: "query", resultCode: "1032", resultDesc: "Request cancelled by user" };
          case "other-receipt":
            return { ...base, source: "callback", resultCode: "0", resultDesc: "ok", amount: 1000, receipt: `${receipt}X`, phoneNumber: "254712345678" };
          default:
            return { ...base, source: "callback", resultCode: "0", resultDesc: "ok", amount: 999, receipt, phoneNumber: "254712345678" };
        }
      };
      const results = await Promise.allSettled(kinds.map((kind) => applyStkAnswer(db, { depositId, answer: answer(kind) })));
      for (const result of results) expect(result.status).toBe("fulfilled");

      const [credits] = await db.$queryRaw<Array<{ deposit: bigint; suspense: bigint }>>`
        select count(*) filter (where idempotency_key = ${`deposit:${depositId}`}) as deposit,
               count(*) filter (where idempotency_key = ${`mpesa-suspense:${paymentId}`}) as suspense
        from ledger_transactions`;
      const deposit = await db.deposit.findUniqueOrThrow({ where: { id: depositId } });
      const payment = await db.mpesaPayment.findUniqueOrThrow({ where: { id: paymentId } });
      // One payment, so money is taken in at most once: to the deposit or to suspense.
      expect(Number(credits!.deposit) + Number(credits!.suspense)).toBeLessThanOrEqual(1);
      expect(deposit.status === "confirmed").toBe(Number(credits!.deposit) === 1);
      expect(payment.exception === "open").toBe(Number(credits!.suspense) === 1);
      expect(deposit.status).not.toBe("pending");
      expect(payment.nextQueryAt).toBeNull();
      expect((payment.callbacks as unknown[]).length).toBeGreaterThanOrEqual(1);
    }),
    { numRuns: 25 },
  );
  expect((await verifyLedger(db)).ok).toBe(true);
});
