// Scenario 6: M-Pesa B2C payouts whose callbacks arrive twice, never (the status query settles
// them), or forged: without the URL's secret token, or with the token but a made-up result.
import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { afterAll, beforeAll, expect, test } from "vitest";
import { eventually, startPayoutHarness, type PayoutHarness } from "../testing/payouts-harness";
import { reportScenario, scaled } from "../testing/reliability";

let database: TestDatabase;
let harness: PayoutHarness;

beforeAll(async () => {
  database = await createTestDatabase();
  harness = await startPayoutHarness({ db: database.db, databaseUrl: database.url, settings: { runWaitMs: 0 } });
  await harness.startWorker();
});

afterAll(async () => {
  await harness?.stop();
  await database?.drop();
});

// The sandbox picks the outcome by the destination number.
const groups = {
  normal: "+254712345678",
  duplicateCallback: "+254700000004",
  noCallback: "+254700000003",
  refused: "+254700000002",
} as const;
type Group = keyof typeof groups;

/** A successful B2C result as Daraja would send it, for a payout and amount of our choosing. */
const forgedSuccess = (payoutId: string, amount: number) => ({
  Result: {
    ResultType: 0,
    ResultCode: 0,
    ResultDesc: "The service request is processed successfully.",
    OriginatorConversationID: payoutId,
    ConversationID: `AG_forged_${payoutId}`,
    TransactionID: `FORGED${payoutId.slice(-6).toUpperCase()}`,
    ResultParameters: { ResultParameter: [{ Key: "TransactionAmount", Value: amount }, { Key: "TransactionReceipt", Value: "FORGED" }] },
  },
});

const callback = (payoutId: string, token: string, body: unknown) =>
  fetch(`${harness.apiUrl}/payments/mpesa/b2c/result?token=${encodeURIComponent(token)}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  }).then((r) => r.status);

// A queued payout waits for an operator's run. A result callback for it (forged, or replayed
// from elsewhere) makes the handler ask M-Pesa, which has never heard of it ("not found"), and
// the not-found branch of applyRailOutcome then sends it at once, outside any run.
test("a forged callback for a payout not yet in a run leaves it queued and unsent", async () => {
  await harness.fund("user_forged_early", 1000n);
  const payout = await harness.caller().payouts.createPayout({
    userId: "user_forged_early",
    amount: 1000,
    currency: "KES",
    destination: { type: "mpesa", account: groups.normal },
  });
  expect(await callback(payout.id, harness.workerEnv.MPESA_CALLBACK_TOKEN!, forgedSuccess(payout.id, 10_000))).toBe(200);
  const after = await eventually(
    () => database.db.payout.findUniqueOrThrow({ where: { id: payout.id } }),
    (p) => p.status !== "queued",
    15_000,
  );
  expect(after.status).toBe("queued");
  expect(harness.sandbox.payments().filter((p) => p.originatorConversationId === payout.id)).toEqual([]);
});

test("duplicated, missing and forged M-Pesa callbacks → every payout paid once or failed, forged ones change nothing", async () => {
  const perGroup = scaled(25, 2);
  const userId = "user_mpesa_callbacks";
  await harness.fund(userId, BigInt(perGroup * 4) * 1000n);
  const payouts: Array<{ id: string; group: Group }> = [];
  for (const group of Object.keys(groups) as Group[]) {
    for (let i = 0; i < perGroup; i++) {
      const payout = await harness.caller().payouts.createPayout({
        userId,
        amount: 1000,
        currency: "KES",
        destination: { type: "mpesa", account: groups[group] },
      });
      payouts.push({ id: payout.id, group });
    }
  }

  const token = harness.workerEnv.MPESA_CALLBACK_TOKEN!;

  // Forged "paid" claims, mostly before the money goes out: with the wrong token (refused at the
  // door) and with the right one but a wrong amount (checked with M-Pesa, which knows better).
  const wrongToken = await Promise.all(payouts.map((p) => callback(p.id, `${token}x`, forgedSuccess(p.id, 1))));
  expect(new Set(wrongToken)).toEqual(new Set([401]));
  const wrongAmount = await Promise.all(payouts.map((p) => callback(p.id, token, forgedSuccess(p.id, 10_000))));
  expect(new Set(wrongAmount)).toEqual(new Set([200]));

  // Some were already sent by the forged callbacks (see the test above); the run takes the rest.
  const run = await harness.caller().payouts.runPayouts({});
  if (run.dryRun) throw new Error("expected a real run");

  // While the batch is under way, the refused ones are claimed paid again, at the right amount.
  const refused = payouts.filter((p) => p.group === "refused");
  const duringRun = await Promise.all(refused.map((p) => callback(p.id, token, forgedSuccess(p.id, 10))));
  expect(new Set(duringRun)).toEqual(new Set([200]));

  const countsOf = async () => {
    const rows = await database.db.payout.groupBy({ by: ["status"], where: { userId }, _count: true });
    return Object.fromEntries(rows.map((r) => [r.status, r._count])) as Record<string, number>;
  };
  const final = await eventually(
    countsOf,
    (c) => (c.paid ?? 0) + (c.failed ?? 0) === payouts.length,
    240_000,
  );
  expect(final).toEqual({ paid: perGroup * 3, failed: perGroup });

  const rows = new Map((await database.db.payout.findMany({ select: { id: true, status: true } })).map((p) => [p.id, p.status]));
  const payments = harness.sandbox.payments();
  const paidBySandbox = new Map<string, number>();
  for (const payment of payments) paidBySandbox.set(payment.originatorConversationId, (paidBySandbox.get(payment.originatorConversationId) ?? 0) + 1);
  for (const payout of payouts) {
    const expected = payout.group === "refused" ? { status: "failed", payments: 0 } : { status: "paid", payments: 1 };
    expect({ group: payout.group, status: rows.get(payout.id), payments: paidBySandbox.get(payout.id) ?? 0 }).toEqual({ group: payout.group, ...expected });
  }
  const settled = await database.db.ledgerTransaction.findMany({ where: { kind: "payout_settle" }, select: { metadata: true } });
  const settledIds = settled.map((t) => (t.metadata as { payoutId?: string }).payoutId);
  expect(settledIds.filter((id) => payouts.some((p) => p.id === id)).length).toBe(perGroup * 3);
  const stats = harness.sandbox.stats();

  await reportScenario(
    "scenario 6 (M-Pesa callbacks)",
    database.db,
    `${payouts.length} payouts (${perGroup} each: normal, duplicate callback, no callback, refused), ${final.paid} paid once, ${final.failed} failed; ` +
      `${wrongToken.length} wrong-token callbacks → 401, ${wrongAmount.length + duringRun.length} forged results with the token ignored; ` +
      `${stats.callbacksDelivered} real callbacks, ${stats.statusQueries} status queries`,
  );
});
