import { DomainError } from "@agrinet/core";
import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { createDepositInput, type CreateDepositInput } from "@agrinet/schemas";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { contractEscrowAccount, externalAccount, getAccountBalance, userWalletAccount } from "../ledger";
import { registerContract } from "../contracts/register-contract";
import { confirmDeposit } from "./confirm-deposit";
import { createDeposit } from "./create-deposit";
import { failDeposit } from "./fail-deposit";
import { listDeposits } from "./list-deposits";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  await registerContract({
    db: database.db,
    input: { id: "contract_45ab", consumerId: "user_buyer1", producerId: "user_prod7", currency: "KES", expectedAmount: 250000n },
  });
});

afterAll(async () => {
  await database?.drop();
});

const input = (overrides: Record<string, unknown> = {}): CreateDepositInput =>
  createDepositInput.parse({
    userId: "user_buyer1",
    amount: 250000,
    currency: "KES",
    method: "mpesa",
    reference: `MPESA-${Math.random().toString(36).slice(2)}`,
    ...overrides,
  });

const create = (overrides: Record<string, unknown> = {}) =>
  createDeposit({ db: database.db, input: input(overrides), minAmount: 1000n, chargeStripe: null });

const confirm = (depositId: string) =>
  confirmDeposit({
    db: database.db,
    depositId,
    confirmedBy: "admin_ops",
    evidenceUrl: "https://cdn.example.org/uploads/receipt-45ab.jpg",
  });

async function rejection(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

const balance = async (account: string) => (await getAccountBalance(database.db, { account })).posted;
const eventsOf = (depositId: string) =>
  database.db.domainEvent.findMany({ where: { aggregateId: depositId }, orderBy: { id: "asc" } });

describe("create", () => {
  test("records a pending deposit and its deposit.created event", async () => {
    const deposit = await create({ userId: "user_create" });
    expect(deposit).toMatchObject({ status: "pending", amount: 250000n, currency: "KES", ledgerEntryIds: [] });
    expect((await eventsOf(deposit.id)).map((e) => e.type)).toEqual(["deposit.created"]);
  });

  test("a used reference → DUPLICATE_REFERENCE with the existing id, nothing new recorded", async () => {
    const first = await create({ reference: "MPESA-DUP-1" });
    const [deposits, events] = await Promise.all([database.db.deposit.count(), database.db.domainEvent.count()]);
    const error = await rejection(create({ reference: "MPESA-DUP-1", amount: 5000 }));
    expect(error.code).toBe("DUPLICATE_REFERENCE");
    expect(error.details).toMatchObject({ depositId: first.id });
    expect(await database.db.deposit.count()).toBe(deposits);
    expect(await database.db.domainEvent.count()).toBe(events);
  });

  test("ten racing creates with one reference record exactly one deposit", async () => {
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => create({ reference: "MPESA-RACE" })));
    const created = results.filter((r) => r.status === "fulfilled");
    expect(created).toHaveLength(1);
    for (const r of results) {
      if (r.status === "rejected") expect((r.reason as DomainError).code).toBe("DUPLICATE_REFERENCE");
    }
    expect(await database.db.deposit.count({ where: { reference: "MPESA-RACE" } })).toBe(1);
  });

  test("concurrent creates share statements and commits; each gets its own deposit and event", async () => {
    const inputs = Array.from({ length: 30 }, (_, i) => input({ userId: `user_group_${i}`, amount: 10_000 + i }));
    const deposits = await Promise.all(
      inputs.map((one) => createDeposit({ db: database.db, input: one, minAmount: 1000n, chargeStripe: null })),
    );
    deposits.forEach((deposit, i) => {
      expect(deposit).toMatchObject({ userId: inputs[i]!.userId, amount: inputs[i]!.amount, reference: inputs[i]!.reference, status: "pending" });
    });
    const events = await database.db.domainEvent.findMany({
      where: { aggregateId: { in: deposits.map((d) => d.id) } },
      select: { aggregateId: true, type: true, userIds: true, payload: true },
    });
    expect(events).toHaveLength(30);
    for (const deposit of deposits) {
      const event = events.find((e) => e.aggregateId === deposit.id)!;
      expect(event).toMatchObject({ type: "deposit.created", userIds: [deposit.userId] });
      expect(event.payload).toMatchObject({ depositId: deposit.id, amount: deposit.amount.toString(), reference: deposit.reference });
    }
    // The first went alone; the others waited for it and were written together.
    const [row] = await database.db.$queryRaw<Array<{ transactions: number }>>`
      select count(distinct xmin::text)::int as transactions from deposits where id = any(${deposits.map((d) => d.id)})`;
    expect(row!.transactions).toBeLessThan(30);
  });

  test("a deposit the database refuses fails alone; the others written with it are recorded", async () => {
    const good = Array.from({ length: 5 }, () => input());
    // Past the schema (lower-case currency): only the database's check refuses it.
    const bad = { ...input(), currency: "kes" } as unknown as CreateDepositInput;
    const results = await Promise.allSettled(
      [good[0]!, bad, ...good.slice(1)].map((one) =>
        createDeposit({ db: database.db, input: one, minAmount: 1000n, chargeStripe: null }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled", "fulfilled", "fulfilled", "fulfilled"]);
    expect(await database.db.deposit.count({ where: { reference: { in: good.map((g) => g.reference) } } })).toBe(5);
    expect(await database.db.deposit.count({ where: { reference: bad.reference } })).toBe(0);
  });

  test("below DEPOSIT_MIN_AMOUNT → VALIDATION_FAILED naming amount", async () => {
    const error = await rejection(create({ amount: 999 }));
    expect(error.code).toBe("VALIDATION_FAILED");
    expect(error.fields.map((f) => f.path)).toEqual(["amount"]);
  });

  test("stripe without STRIPE_KEY → VALIDATION_FAILED saying Stripe is not configured", async () => {
    const error = await rejection(create({ method: "stripe", paymentMethodId: "pm_card_visa" }));
    expect(error.fields).toEqual([{ path: "method", message: expect.stringMatching(/Stripe is not configured/) }]);
  });
});

describe("confirm and fail", () => {
  test("confirm credits the wallet from the method's clearing account, once", async () => {
    const deposit = await create({ userId: "user_wallet", amount: "250000" });
    const wallet = userWalletAccount("user_wallet", "KES");
    const before = await balance(wallet);
    const clearingBefore = await balance(externalAccount("mpesa", "KES"));
    const { deposit: confirmed, ledgerTransaction } = await confirm(deposit.id);
    expect(confirmed).toMatchObject({ status: "confirmed", confirmedBy: "admin_ops" });
    expect(confirmed.ledgerEntryIds).toHaveLength(2);
    expect(confirmed.ledgerTransactionId).toBe(ledgerTransaction!.id.toString());
    // The answer is the row as stored, field for field.
    expect(confirmed).toEqual(await database.db.deposit.findUniqueOrThrow({ where: { id: deposit.id } }));
    expect((await eventsOf(deposit.id)).at(-1)!.payload).toMatchObject({
      depositId: deposit.id,
      status: "confirmed",
      amount: "250000",
      confirmedBy: "admin_ops",
      ledgerTransactionId: confirmed.ledgerTransactionId,
    });
    expect(ledgerTransaction!.idempotencyKey).toBe(`deposit:${deposit.id}`);
    expect((await balance(wallet)) - before).toBe(250000n);
    expect((await balance(externalAccount("mpesa", "KES"))) - clearingBefore).toBe(-250000n);
    expect((await eventsOf(deposit.id)).map((e) => e.type)).toEqual(["deposit.created", "deposit.confirmed"]);
  });

  test("a deposit naming an unknown contract is refused, naming metadata.contractId", async () => {
    const error = await rejection(create({ userId: "user_escrow", reference: "NO-SUCH-CONTRACT", metadata: { contractId: "contract_nope" } }));
    expect(error.code).toBe("VALIDATION_FAILED");
    expect(error.fields.map((f) => f.path)).toEqual(["metadata.contractId"]);
  });

  test("metadata.contractId credits the contract's escrow, not the wallet", async () => {
    const deposit = await create({ userId: "user_escrow", metadata: { contractId: "contract_45ab" } });
    await confirm(deposit.id);
    expect(await balance(contractEscrowAccount("contract_45ab", "KES"))).toBe(250000n);
    expect(await balance(userWalletAccount("user_escrow", "KES"))).toBe(0n);
  });

  test("20 concurrent confirmations: one succeeds, 19 get INVALID_STATE, one credit", async () => {
    const deposit = await create({ userId: "user_race" });
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => confirm(deposit.id)));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results) {
      if (r.status === "rejected") expect((r.reason as DomainError).code).toBe("INVALID_STATE");
    }
    expect(await balance(userWalletAccount("user_race", "KES"))).toBe(250000n);
    const postings = await database.db.$queryRaw<{ n: bigint }[]>`
      select count(*)::bigint as n from ledger_transactions where idempotency_key = ${`deposit:${deposit.id}`}`;
    expect(postings[0]!.n).toBe(1n);
  });

  test("confirm without evidence → VALIDATION_FAILED naming evidenceUrl", async () => {
    const deposit = await create();
    const error = await rejection(
      confirmDeposit({ db: database.db, depositId: deposit.id, confirmedBy: "admin_ops" }),
    );
    expect(error.fields.map((f) => f.path)).toEqual(["evidenceUrl"]);
  });

  test("fail → failed with no ledger effect; confirming it afterwards → INVALID_STATE", async () => {
    const deposit = await create({ userId: "user_failed" });
    const failed = await failDeposit({ db: database.db, depositId: deposit.id, reason: "no such M-Pesa receipt" });
    expect(failed).toMatchObject({ status: "failed", failureReason: "no such M-Pesa receipt" });
    const error = await rejection(confirm(deposit.id));
    expect(error.code).toBe("INVALID_STATE");
    expect(error.details).toMatchObject({ status: "failed" });
    expect(await balance(userWalletAccount("user_failed", "KES"))).toBe(0n);
    expect((await rejection(failDeposit({ db: database.db, depositId: deposit.id, reason: "again" }))).code).toBe(
      "INVALID_STATE",
    );
  });

  test("an unknown deposit → NOT_FOUND", async () => {
    expect((await rejection(confirm("dep_missing"))).code).toBe("NOT_FOUND");
  });
});

describe("list", () => {
  test("filters and walks pages without repeating or skipping", async () => {
    for (let i = 0; i < 5; i++) await create({ userId: "user_pages", currency: "TZS", reference: `PAGE-${i}` });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listDeposits({
        db: database.db,
        filter: { limit: 2, currency: "TZS", userId: "user_pages", ...(cursor ? { cursor } : {}) },
      });
      seen.push(...page.items.map((d) => d.reference));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    // Rows created in the same millisecond order by id, so only the set is certain.
    expect(seen).toHaveLength(5);
    expect([...seen].sort()).toEqual(["PAGE-0", "PAGE-1", "PAGE-2", "PAGE-3", "PAGE-4"]);
    const searched = await listDeposits({ db: database.db, filter: { limit: 50, search: "page-3" } });
    expect(searched.items.map((d) => d.reference)).toEqual(["PAGE-3"]);
  });

  test("sorts by amount, status or creation time either way, with pages that follow each order", async () => {
    // Three amounts, repeated, in three states: ties in amount and status are many.
    const made = [];
    for (let i = 0; i < 9; i++) {
      const deposit = await create({ userId: "user_sorted", currency: "UGX", amount: 1000 * (1 + (i % 3)), reference: `SORT-${i}` });
      if (i % 3 === 1) await confirm(deposit.id);
      if (i % 3 === 2) await failDeposit({ db: database.db, depositId: deposit.id, reason: "sorted" });
      made.push(deposit);
    }
    const rows = await database.db.deposit.findMany({ where: { userId: "user_sorted" } });
    const statusOrder = ["pending", "confirmed", "failed"];
    const newestFirst = (a: (typeof rows)[number], b: (typeof rows)[number]) =>
      b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
    const expected = {
      amount: (direction: number) => [...rows].sort((a, b) => direction * Number(a.amount - b.amount) || newestFirst(a, b)),
      status: (direction: number) => [...rows].sort((a, b) => direction * (statusOrder.indexOf(a.status) - statusOrder.indexOf(b.status)) || newestFirst(a, b)),
      createdAt: (direction: number) => [...rows].sort((a, b) => -direction * newestFirst(a, b)),
    };
    for (const by of ["amount", "status", "createdAt"] as const) {
      for (const direction of ["asc", "desc"] as const) {
        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await listDeposits({
            db: database.db,
            filter: { limit: 2, userId: "user_sorted", sort: by, direction, ...(cursor ? { cursor } : {}) },
          });
          seen.push(...page.items.map((d) => d.id));
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        expect(seen, `${by} ${direction}`).toEqual(expected[by](direction === "asc" ? 1 : -1).map((d) => d.id));
      }
    }
    // A cursor continues only the order it came from.
    const first = await listDeposits({ db: database.db, filter: { limit: 2, userId: "user_sorted", sort: "amount", direction: "asc" } });
    const refused = await rejection(
      listDeposits({ db: database.db, filter: { limit: 2, userId: "user_sorted", sort: "status", direction: "asc", cursor: first.nextCursor! } }),
    );
    expect(refused).toMatchObject({ code: "VALIDATION_FAILED", fields: [expect.objectContaining({ path: "cursor" })] });
    expect(made).toHaveLength(9);
  });
});
