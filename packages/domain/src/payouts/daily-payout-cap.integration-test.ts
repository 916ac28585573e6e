// #21 item 5: a partner's daily payout cap per currency, kept by `payouts_create` itself, so
// racing requests, batches and processes can never together pass it. Days are the database's
// (UTC): a test moves rows to "yesterday" in SQL, never compares this process's clock with it.
import { DomainError, type CurrencyCode } from "@agrinet/core";
import { createDb, type Db } from "@agrinet/db";
import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { externalAccount, getAccountBalance, postLedgerTransaction, userWalletAccount, verifyLedger } from "../ledger";
import { recordWorkerHeartbeat } from "../system/system-status";
import { createPartner, listPartners, updatePartnerLimits } from "../tenancy";
import { cancelPayout } from "./cancel-payout";
import { createPayout, type CreatePayoutInput } from "./create-payout";
import { markPayoutFailed } from "./payout-transitions";
import { retryPayout } from "./retry-payout";

let database: TestDatabase;
let second: Db;

beforeAll(async () => {
  database = await createTestDatabase();
  // Another API process: its own pool and its own group commit, so batches race in the database.
  second = createDb({ connectionString: database.url, maxConnections: 5 });
  await recordWorkerHeartbeat({ db: database.db, workerId: "test-worker", hostname: "test", pid: 1 });
});

afterAll(async () => {
  await second?.$disconnect();
  await database?.drop();
});

async function fund(userId: string, amount: bigint, currency: CurrencyCode = "KES") {
  await postLedgerTransaction(database.db, {
    idempotencyKey: `fund:${userId}:${currency}:${amount}`,
    kind: "deposit",
    postings: [
      { account: externalAccount("mpesa", currency), amount: -amount, currency },
      { account: userWalletAccount(userId, currency), amount, currency },
    ],
  });
}

const partner = async (name: string) => (await createPartner({ db: database.db, name, actor: "system:test" })).id;

function create(
  partnerId: string,
  input: Partial<CreatePayoutInput> & { userId: string },
  options: { caps?: Partial<Record<CurrencyCode, bigint>>; db?: Db } = {},
) {
  return createPayout({
    db: options.db ?? database.db,
    partnerId,
    input: {
      amount: 1000n,
      currency: "KES",
      destination: { type: "mpesa", account: input.currency === "TZS" ? "+255712345678" : "+254711000001" },
      ...input,
    },
    minAmount: 500n,
    maxAttempts: 5,
    dailyPayoutCaps: options.caps ?? { KES: 10_000n },
    audit: { actor: "partner:test", ip: "127.0.0.1" },
  });
}

const codeOf = (reason: unknown) => (reason instanceof DomainError ? reason.code : String(reason));

async function usedToday(partnerId: string, currency = "KES"): Promise<bigint> {
  const [row] = await database.db.$queryRaw<Array<{ used: bigint }>>`
    select coalesce((select amount from payout_day_totals where partner_id = ${partnerId} and currency = ${currency} and day = (now() at time zone 'UTC')::date), 0)
         - coalesce((select amount from payout_day_returns where partner_id = ${partnerId} and currency = ${currency} and day = (now() at time zone 'UTC')::date), 0) as used`;
  return row!.used;
}

describe("the daily payout cap", () => {
  test("100 racing payouts from two processes against a cap for 10: exactly 10 created, 90 refused holding nothing", async () => {
    const partnerId = await partner("Racing partner");
    const users = Array.from({ length: 4 }, (_, i) => `cap_race_${i}`);
    for (const user of users) await fund(user, 1_000_000n);
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, (_, i) => create(partnerId, { userId: users[i % 4]! }, { db: i % 2 ? second : database.db })),
    );
    const created = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    const refused = results.flatMap((r) => (r.status === "rejected" ? [codeOf(r.reason)] : []));
    expect(created).toHaveLength(10);
    expect(refused).toEqual(Array.from({ length: 90 }, () => "LIMIT_EXCEEDED"));
    expect(await database.db.payout.count({ where: { partnerId } })).toBe(10);
    expect(await usedToday(partnerId)).toBe(10_000n);
    let held = 0n;
    for (const user of users) held += (await getAccountBalance(database.db, { account: userWalletAccount(user, "KES") })).held;
    expect(held).toBe(10_000n);
    const jobs = await database.db.$queryRaw<Array<{ n: bigint }>>`
      select count(*) as n from graphile_worker._private_jobs where key = any(${created.map((p) => p.id)}::text[])`;
    expect(jobs[0]!.n).toBe(10n);
  });

  test("a refusal says which limit, the currency, the cap and what remains; no row, hold, job, event or destination", async () => {
    const partnerId = await partner("Refused partner");
    await fund("cap_refused", 1_000_000n);
    await create(partnerId, { userId: "cap_refused", amount: 7_500n });
    const before = {
      payouts: await database.db.payout.count(),
      holds: await database.db.ledgerHold.count(),
      events: await database.db.domainEvent.count(),
      destinations: await database.db.payoutDestination.count(),
      jobs: (await database.db.$queryRaw<Array<{ n: bigint }>>`select count(*) as n from graphile_worker._private_jobs`)[0]!.n,
    };
    const refusal = await create(partnerId, { userId: "cap_refused", amount: 3_000n, destination: { type: "mpesa", account: "+254722000333" } }).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(DomainError);
    expect(refusal).toMatchObject({
      code: "LIMIT_EXCEEDED",
      fields: [{ path: "amount" }],
      details: { limit: "PARTNER_DAILY_PAYOUT_CAP", currency: "KES", cap: "10000", used: "7500", remaining: "2500" },
    });
    expect((refusal as DomainError).message).toContain("25.00 KES left");
    expect({
      payouts: await database.db.payout.count(),
      holds: await database.db.ledgerHold.count(),
      events: await database.db.domainEvent.count(),
      destinations: await database.db.payoutDestination.count(),
      jobs: (await database.db.$queryRaw<Array<{ n: bigint }>>`select count(*) as n from graphile_worker._private_jobs`)[0]!.n,
    }).toEqual(before);
    // What remains still goes.
    await expect(create(partnerId, { userId: "cap_refused", amount: 2_500n })).resolves.toMatchObject({ status: "queued" });
    expect(await usedToday(partnerId)).toBe(10_000n);
  });

  test("failed and cancelled payouts give their amount back to their day; a retried one takes it again", async () => {
    const partnerId = await partner("Returning partner");
    await fund("cap_returns", 1_000_000n);
    const first = await create(partnerId, { userId: "cap_returns", amount: 6_000n });
    const secondPayout = await create(partnerId, { userId: "cap_returns", amount: 4_000n });
    await expect(create(partnerId, { userId: "cap_returns", amount: 1_000n })).rejects.toMatchObject({ code: "LIMIT_EXCEEDED" });

    await cancelPayout({ db: database.db, payoutId: secondPayout.id });
    expect(await usedToday(partnerId)).toBe(6_000n);
    await markPayoutFailed(database.db, { payoutId: first.id, error: "test: provider refused" });
    expect(await usedToday(partnerId)).toBe(0n);
    // Failing or cancelling twice gives back once.
    await markPayoutFailed(database.db, { payoutId: first.id, error: "again" });
    await cancelPayout({ db: database.db, payoutId: secondPayout.id });
    expect(await usedToday(partnerId)).toBe(0n);

    await retryPayout({ db: database.db, payoutId: first.id, maxAttempts: 5 });
    expect(await usedToday(partnerId)).toBe(6_000n);
    await expect(create(partnerId, { userId: "cap_returns", amount: 4_001n })).rejects.toMatchObject({ code: "LIMIT_EXCEEDED", details: { remaining: "4000" } });
    await expect(create(partnerId, { userId: "cap_returns", amount: 4_000n })).resolves.toMatchObject({ status: "queued" });
  });

  test("the day rolls over with the database's UTC date; a payout of yesterday gives back to yesterday", async () => {
    const partnerId = await partner("Daily partner");
    await fund("cap_days", 1_000_000n);
    const yesterdays = await create(partnerId, { userId: "cap_days", amount: 10_000n });
    await expect(create(partnerId, { userId: "cap_days" })).rejects.toMatchObject({ code: "LIMIT_EXCEEDED" });
    // Everything so far happened "yesterday", as the database counts days.
    await database.db.$executeRaw`update payout_day_totals set day = day - 1 where partner_id = ${partnerId}`;
    await database.db.$executeRaw`update payouts set created_at = created_at - interval '1 day' where id = ${yesterdays.id}`;
    const today = await create(partnerId, { userId: "cap_days", amount: 10_000n });
    expect(today.status).toBe("queued");
    await expect(create(partnerId, { userId: "cap_days" })).rejects.toMatchObject({ code: "LIMIT_EXCEEDED" });
    // Cancelling yesterday's payout frees yesterday's allowance, not today's.
    await cancelPayout({ db: database.db, payoutId: yesterdays.id });
    await expect(create(partnerId, { userId: "cap_days" })).rejects.toMatchObject({ code: "LIMIT_EXCEEDED" });
    const [yesterday] = await database.db.$queryRaw<Array<{ total: bigint; returned: bigint }>>`
      select t.amount as total, r.amount as returned from payout_day_totals t
      join payout_day_returns r using (partner_id, currency, day)
      where t.partner_id = ${partnerId} and t.day = (now() at time zone 'UTC')::date - 1`;
    expect(yesterday).toEqual({ total: 10_000n, returned: 10_000n });
  });

  test("each partner and currency has its own allowance; staff's cap for a partner wins over the default, 0 stops it", async () => {
    const full = await partner("Full partner");
    const other = await partner("Other partner");
    await fund("cap_full", 1_000_000n);
    await fund("cap_other", 1_000_000n);
    await fund("cap_full", 1_000_000n, "TZS");
    await create(full, { userId: "cap_full", amount: 10_000n });
    await expect(create(full, { userId: "cap_full" })).rejects.toMatchObject({ code: "LIMIT_EXCEEDED" });
    await expect(create(other, { userId: "cap_other", amount: 10_000n })).resolves.toMatchObject({ partnerId: other });
    // No default cap for TZS: the full partner still pays out in it.
    await expect(create(full, { userId: "cap_full", amount: 50_000n, currency: "TZS" })).resolves.toMatchObject({ currency: "TZS" });

    const raised = await updatePartnerLimits({ db: database.db, partnerId: full, dailyPayoutCaps: [{ currency: "KES", cap: 15_000n }, { currency: "TZS", cap: 0n }], defaultDailyPayoutCaps: { KES: 10_000n }, actor: "staff:test" });
    expect(raised.payoutLimits).toEqual([
      { currency: "KES", cap: 15_000n, source: "partner", usedToday: 10_000n, remainingToday: 5_000n },
      { currency: "TZS", cap: 0n, source: "partner", usedToday: 50_000n, remainingToday: 0n },
    ]);
    await expect(create(full, { userId: "cap_full", amount: 5_000n })).resolves.toMatchObject({ status: "queued" });
    await expect(create(full, { userId: "cap_full", amount: 500n, currency: "TZS" })).rejects.toMatchObject({ code: "LIMIT_EXCEEDED", details: { cap: "0", remaining: "0" } });
    // The other partner still has the default.
    await expect(create(other, { userId: "cap_other" })).rejects.toMatchObject({ code: "LIMIT_EXCEEDED", details: { cap: "10000" } });

    // Removing the partner's own cap brings the default back.
    await updatePartnerLimits({ db: database.db, partnerId: full, dailyPayoutCaps: [{ currency: "KES", cap: null }], actor: "staff:test" });
    const listed = (await listPartners({ db: database.db, defaultDailyPayoutCaps: { KES: 10_000n } })).find((p) => p.id === full)!;
    expect(listed.payoutLimits).toEqual([
      { currency: "KES", cap: 10_000n, source: "default", usedToday: 15_000n, remainingToday: 0n },
      { currency: "TZS", cap: 0n, source: "partner", usedToday: 50_000n, remainingToday: 0n },
    ]);
    const audits = await database.db.auditLog.findMany({ where: { action: "partner.limits_updated", target: `partner:${full}` }, orderBy: { id: "asc" } });
    expect(audits.map((a) => a.metadata)).toEqual([
      { dailyPayoutCaps: { before: {}, after: { KES: "15000", TZS: "0" } } },
      { dailyPayoutCaps: { before: { KES: "15000", TZS: "0" }, after: { TZS: "0" } } },
    ]);
    await expect(updatePartnerLimits({ db: database.db, partnerId: "partner_nobody", dailyPayoutCaps: [], actor: "staff:test" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  test("without a cap, payouts are still counted, so a cap set mid-day counts the day's earlier payouts", async () => {
    const partnerId = await partner("Uncapped partner");
    await fund("cap_none", 1_000_000n);
    await create(partnerId, { userId: "cap_none", amount: 20_000n }, { caps: {} });
    expect(await usedToday(partnerId)).toBe(20_000n);
    await expect(create(partnerId, { userId: "cap_none" }, { caps: { KES: 20_500n } })).rejects.toMatchObject({ code: "LIMIT_EXCEEDED", details: { remaining: "500" } });
    expect(await verifyLedger(database.db)).toMatchObject({ ok: true });
  });
});

describe("a payout's saved destination", () => {
  test("an inline destination is saved with its payout only, in the same statement, and the payout names it", async () => {
    const partnerId = await partner("Destination partner");
    await fund("dest_inline", 5_000n);
    const inline = { type: "mpesa" as const, account: "+254733000444" };
    // Refused for funds: nothing saved.
    await expect(create(partnerId, { userId: "dest_inline", amount: 9_000n, destination: inline }, { caps: {} })).rejects.toMatchObject({ code: "INSUFFICIENT_FUNDS" });
    expect(await database.db.payoutDestination.count({ where: { userId: "dest_inline" } })).toBe(0);
    // Refused by the cap: nothing saved.
    await expect(create(partnerId, { userId: "dest_inline", amount: 1_000n, destination: inline }, { caps: { KES: 500n } })).rejects.toMatchObject({ code: "LIMIT_EXCEEDED" });
    expect(await database.db.payoutDestination.count({ where: { userId: "dest_inline" } })).toBe(0);

    // Created: saved once (racing payouts to it too), audited once, named by each payout.
    const payouts = await Promise.all([1, 2, 3].map(() => create(partnerId, { userId: "dest_inline", amount: 1_000n, destination: inline }, { caps: {} })));
    const saved = await database.db.payoutDestination.findMany({ where: { userId: "dest_inline" } });
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatchObject({ partnerId, createdBy: "partner:test", destination: inline });
    expect(payouts.map((p) => p.destinationId)).toEqual([saved[0]!.id, saved[0]!.id, saved[0]!.id]);
    const stored = await database.db.payout.findMany({ where: { id: { in: payouts.map((p) => p.id) } } });
    expect(stored.map((p) => p.destinationId)).toEqual([saved[0]!.id, saved[0]!.id, saved[0]!.id]);
    expect(await database.db.auditLog.count({ where: { action: "payout_destination.created", target: `payout_destination:${saved[0]!.id}` } })).toBe(1);

    // Named by id: the payout names the same record.
    const named = await create(partnerId, { userId: "dest_inline", amount: 1_000n, destination: undefined, destinationId: saved[0]!.id }, { caps: {} });
    expect(named.destinationId).toBe(saved[0]!.id);
  });
});
