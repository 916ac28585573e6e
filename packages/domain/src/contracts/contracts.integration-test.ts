import { DomainError } from "@agrinet/core";
import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { externalAccount, userWalletAccount } from "../ledger/account-codes";
import { getAccountBalance } from "../ledger";
import { postLedgerTransaction } from "../ledger/post-ledger-transaction";
import { checkContractFundable, checkContractPayout, recordEscrowFunding } from "./contract-funds";
import { contestRating } from "./contest-rating";
import { getContract } from "./get-contract";
import { getReputation } from "./get-reputation";
import { listDisputes } from "./list-disputes";
import { recordDefaultRatings } from "./record-default-ratings";
import { registerContract } from "./register-contract";
import { resolveDispute } from "./resolve-dispute";
import { submitRating } from "./submit-rating";

let database: TestDatabase;
let sequence = 0;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});

function ids() {
  sequence += 1;
  return {
    contractId: `contract_t${sequence}`,
    consumerId: `user_buyer${sequence}`,
    producerId: `user_prod${sequence}`,
  };
}

/** What a confirmed deposit with metadata.contractId does to the escrow. */
async function fund(contractId: string, amount: bigint) {
  await database.db.$transaction(async (tx) => {
    const { account } = await recordEscrowFunding(tx, {
      contractId,
      currency: "KES",
      amount,
      depositId: `dep_${contractId}_${amount}`,
    });
    await postLedgerTransaction(tx, {
      idempotencyKey: `test-fund:${contractId}:${amount}`,
      kind: "deposit",
      metadata: { contractId },
      postings: [
        { account: externalAccount("mpesa", "KES"), amount: -amount, currency: "KES" },
        { account, amount, currency: "KES" },
      ],
    });
  });
}

async function walletOf(userId: string) {
  const balance = await getAccountBalance(database.db, { account: userWalletAccount(userId, "KES") });
  return balance?.posted ?? 0n;
}

async function registered(expectedAmount = 250_000n) {
  const party = ids();
  await registerContract({
    db: database.db,
    input: { id: party.contractId, consumerId: party.consumerId, producerId: party.producerId, currency: "KES", expectedAmount },
  });
  return party;
}

async function expectDomainError(promise: Promise<unknown>, code: string) {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(DomainError);
  expect((error as DomainError).code).toBe(code);
  return error as DomainError;
}

describe("settlement by the consumer's rating", () => {
  test("+3 releases the escrow to the producer and unlocks payouts against the contract", async () => {
    const { contractId, consumerId, producerId } = await registered();
    await expectDomainError(
      checkContractPayout(database.db, { contractId, userId: producerId, amount: 1000n, alreadyDrawn: 0n }),
      "ESCROW_NOT_RELEASED",
    );
    await fund(contractId, 250_000n);
    expect((await getContract({ db: database.db, contractId })).status).toBe("funded");

    const result = await submitRating({
      db: database.db,
      raterId: consumerId,
      input: { contractId, raterRole: "consumer", rating: 3 },
    });
    expect(result.settlement).toMatchObject({ outcome: "released", amount: 250_000n });
    expect(await walletOf(producerId)).toBe(250_000n);
    const contract = await getContract({ db: database.db, contractId });
    expect(contract).toMatchObject({ status: "released", escrowBalance: 0n, settledAmount: 250_000n });

    await checkContractPayout(database.db, { contractId, userId: producerId, amount: 180_000n, alreadyDrawn: 0n });
    await expectDomainError(
      checkContractPayout(database.db, { contractId, userId: producerId, amount: 100_000n, alreadyDrawn: 180_000n }),
      "INSUFFICIENT_FUNDS",
    );
  });

  test("the producer's rating moves no money", async () => {
    const { contractId, producerId } = await registered();
    await fund(contractId, 5_000n);
    const result = await submitRating({
      db: database.db,
      raterId: producerId,
      input: { contractId, raterRole: "producer", rating: 4 },
    });
    expect(result.settlement).toBeNull();
    expect((await getContract({ db: database.db, contractId })).escrowBalance).toBe(5_000n);
    expect(await walletOf(producerId)).toBe(0n);
  });

  test("only the party of a role may rate, once", async () => {
    const { contractId, consumerId, producerId } = await registered();
    await fund(contractId, 5_000n);
    await expectDomainError(
      submitRating({ db: database.db, raterId: producerId, input: { contractId, raterRole: "consumer", rating: 4 } }),
      "FORBIDDEN",
    );
    await submitRating({ db: database.db, raterId: consumerId, input: { contractId, raterRole: "consumer", rating: 2 } });
    const second = await expectDomainError(
      submitRating({ db: database.db, raterId: consumerId, input: { contractId, raterRole: "consumer", rating: 4 } }),
      "INVALID_STATE",
    );
    expect(second.message).toMatch(/released/);
    await submitRating({ db: database.db, raterId: producerId, input: { contractId, raterRole: "producer", rating: 1 } });
    await expectDomainError(
      submitRating({ db: database.db, raterId: producerId, input: { contractId, raterRole: "producer", rating: 3 } }),
      "INVALID_STATE",
    );
  });

  test("racing consumer ratings settle the escrow once", async () => {
    const { contractId, consumerId, producerId } = await registered();
    await fund(contractId, 70_000n);
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        submitRating({ db: database.db, raterId: consumerId, input: { contractId, raterRole: "consumer", rating: i % 5 } }),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await walletOf(producerId)).toBe(70_000n);
  });

  test("an unfunded contract cannot be settled by rating; a top-up after release follows it to the producer", async () => {
    const { contractId, consumerId, producerId } = await registered();
    await expectDomainError(
      submitRating({ db: database.db, raterId: consumerId, input: { contractId, raterRole: "consumer", rating: 3 } }),
      "INVALID_STATE",
    );
    await fund(contractId, 1_000n);
    await submitRating({ db: database.db, raterId: consumerId, input: { contractId, raterRole: "consumer", rating: 3 } });
    await fund(contractId, 2_000n);
    expect(await walletOf(producerId)).toBe(3_000n);
    expect(await getContract({ db: database.db, contractId })).toMatchObject({
      status: "released",
      escrowBalance: 0n,
      settledAmount: 3_000n,
    });
    await checkContractPayout(database.db, { contractId, userId: producerId, amount: 3_000n, alreadyDrawn: 0n });
  });
});

describe("disputes", () => {
  test("-1 needs a narrative, opens a dispute and freezes the escrow; refund credits the consumer", async () => {
    const { contractId, consumerId, producerId } = await registered();
    await fund(contractId, 120_000n);
    const missing = await expectDomainError(
      submitRating({ db: database.db, raterId: consumerId, input: { contractId, raterRole: "consumer", rating: -1 } }),
      "VALIDATION_FAILED",
    );
    expect(missing.fields[0]?.path).toBe("narrative");
    await expectDomainError(
      submitRating({
        db: database.db,
        raterId: consumerId,
        input: { contractId, raterRole: "consumer", rating: -1, narrative: "word ".repeat(501) },
      }),
      "VALIDATION_FAILED",
    );

    const opened = await submitRating({
      db: database.db,
      raterId: consumerId,
      input: { contractId, raterRole: "consumer", rating: -1, narrative: "Half the maize never arrived." },
    });
    expect(opened.disputeId).toBeTruthy();
    expect(await getContract({ db: database.db, contractId })).toMatchObject({ status: "disputed", escrowBalance: 120_000n });

    const queue = await listDisputes({ db: database.db, status: "open", limit: 50 });
    const listed = queue.items.find((d) => d.id === opened.disputeId);
    expect(listed).toMatchObject({ narrative: "Half the maize never arrived.", escrowBalance: 120_000n });

    const resolved = await resolveDispute({
      db: database.db,
      resolvedBy: "ops@agrinet.local",
      input: { disputeId: opened.disputeId!, resolution: "refund" },
    });
    expect(resolved.settlement.amount).toBe(120_000n);
    expect(await walletOf(consumerId)).toBe(120_000n);
    expect(await walletOf(producerId)).toBe(0n);
    expect((await getContract({ db: database.db, contractId })).status).toBe("refunded");
    await expectDomainError(
      resolveDispute({ db: database.db, resolvedBy: "x", input: { disputeId: opened.disputeId!, resolution: "release" } }),
      "INVALID_STATE",
    );
    await expectDomainError(fund(contractId, 1_000n), "INVALID_STATE");
  });

  test("release pays the producer", async () => {
    const { contractId, consumerId, producerId } = await registered();
    await fund(contractId, 40_000n);
    const { disputeId } = await submitRating({
      db: database.db,
      raterId: consumerId,
      input: { contractId, raterRole: "consumer", rating: -1, narrative: "Late." },
    });
    await resolveDispute({ db: database.db, resolvedBy: "ops", input: { disputeId: disputeId!, resolution: "release" } });
    expect(await walletOf(producerId)).toBe(40_000n);
  });
});

describe("rating window, contests, reputation", () => {
  test("a missed window records system defaults (+2) once; the consumer's releases the escrow", async () => {
    const { contractId, producerId } = await registered();
    await fund(contractId, 9_000n);
    const later = new Date(Date.now() + 15 * 86_400_000);
    const first = await recordDefaultRatings({ db: database.db, now: later });
    expect(first.recorded).toBeGreaterThanOrEqual(2);
    const again = await recordDefaultRatings({ db: database.db, now: later });
    expect(again.recorded).toBe(0);
    const ratings = await database.db.rating.findMany({ where: { contractId } });
    expect(ratings.map((r) => [r.raterRole, r.value, r.isDefault, r.raterId]).sort()).toEqual([
      ["consumer", 2, true, "system"],
      ["producer", 2, true, "system"],
    ]);
    expect(await walletOf(producerId)).toBe(9_000n);
  });

  test("contesting annotates and never erases; ratings are append-only in the database", async () => {
    const { contractId, consumerId, producerId } = await registered();
    await fund(contractId, 1_000n);
    const { rating } = await submitRating({
      db: database.db,
      raterId: producerId,
      input: { contractId, raterRole: "producer", rating: 0 },
    });
    await expectDomainError(
      contestRating({ db: database.db, userId: "user_stranger", input: { ratingId: rating.id, reason: "no" } }),
      "FORBIDDEN",
    );
    await contestRating({ db: database.db, userId: consumerId, input: { ratingId: rating.id, reason: "I paid on time." } });
    const stored = await database.db.rating.findUniqueOrThrow({ where: { id: rating.id }, include: { annotations: true } });
    expect(stored.value).toBe(0);
    expect(stored.annotations).toHaveLength(1);
    await expect(database.db.$executeRaw`update ratings set value = 4 where id = ${rating.id}`).rejects.toThrow(/append-only/);
    await expect(database.db.$executeRaw`delete from ratings where id = ${rating.id}`).rejects.toThrow(/append-only/);
  });

  test("reputation is a distribution per role with defaults apart, never a mean", async () => {
    const producerId = "user_rep_prod";
    for (const [i, value] of [4, 4, -1, 0].entries()) {
      const contractId = `contract_rep${i}`;
      await registerContract({
        db: database.db,
        input: { id: contractId, consumerId: `user_rep_buyer${i}`, producerId, currency: "KES", expectedAmount: 1000n },
      });
      await fund(contractId, 1_000n);
      await submitRating({
        db: database.db,
        raterId: `user_rep_buyer${i}`,
        input: { contractId, raterRole: "consumer", rating: value, narrative: value === -1 ? "Spoiled." : undefined },
      });
    }
    const reputation = await getReputation({ db: database.db, userId: producerId });
    expect(reputation.asProducer).toEqual({
      counts: { "-1": 1, "0": 1, "1": 0, "2": 0, "3": 0, "4": 2 },
      total: 4,
      defaults: 0,
    });
    expect(reputation.asConsumer.total).toBe(0);
    expect(JSON.stringify(reputation)).not.toMatch(/average|mean/i);
  });
});

describe("registration", () => {
  test("a retry with the same terms is harmless; other terms under the same id → 409", async () => {
    const party = ids();
    const input = { id: party.contractId, consumerId: party.consumerId, producerId: party.producerId, currency: "KES" as const, expectedAmount: 5_000n };
    const first = await registerContract({ db: database.db, input });
    const again = await registerContract({ db: database.db, input });
    expect(again.id).toBe(first.id);
    await expectDomainError(registerContract({ db: database.db, input: { ...input, expectedAmount: 6_000n } }), "DUPLICATE_REFERENCE");
  });

  test("deposits naming an unknown contract or another currency are refused with the field", async () => {
    const unknown = await expectDomainError(
      checkContractFundable(database.db, { contractId: "contract_nope", currency: "KES" }),
      "VALIDATION_FAILED",
    );
    expect(unknown.fields[0]?.path).toBe("metadata.contractId");
    const { contractId } = await registered();
    const currency = await expectDomainError(checkContractFundable(database.db, { contractId, currency: "UGX" }), "VALIDATION_FAILED");
    expect(currency.fields[0]?.path).toBe("currency");
  });
});
