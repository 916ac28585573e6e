import { randomInt } from "node:crypto";
import { DomainError } from "@agrinet/core";
import type { Db, Tx } from "@agrinet/db";
import { isKnownUser } from "@agrinet/stores/paybill-accounts";

export type PaybillAccount = { accountNumber: string; userId: string | null; contractId: string | null; createdAt: Date };

/** Contracts that still take money: deposits to others are refused or land in suspense. */
const payableContractStatuses = ["open", "funded", "disputed"] as const;

/**
 * Eight digits, the last a Luhn check digit: short enough to type on a feature phone's keypad
 * (M-Pesa's account field is ≤ 12 characters), and a mistyped digit or swapped pair is caught at
 * validation instead of paying someone else.
 */
export function newPaybillAccountNumber(): string {
  const body = String(randomInt(1_000_000, 10_000_000));
  return body + luhnCheckDigit(body);
}

export function luhnCheckDigit(digits: string): string {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

export function isValidPaybillAccountNumber(value: string): boolean {
  return /^\d{8}$/.test(value) && luhnCheckDigit(value.slice(0, -1)) === value.slice(-1);
}

/**
 * The paybill account number of a user or a contract, created on first ask (users live in the
 * partner apps, so there is no user row to hang it on). Idempotent under races: the owner is
 * unique, and the loser of a race reads the winner's number.
 */
export async function getPaybillAccount(db: Db | Tx, owner: { userId: string } | { contractId: string }): Promise<PaybillAccount> {
  const where = "userId" in owner ? { userId: owner.userId } : { contractId: owner.contractId };
  const existing = await db.paybillAccount.findUnique({ where });
  if (existing) return existing;
  if ("contractId" in owner) {
    const contract = await db.contract.findUnique({ where: { id: owner.contractId }, select: { status: true } });
    if (!contract) {
      throw new DomainError("NOT_FOUND", `no contract ${owner.contractId}`, { fields: [{ path: "contractId", message: "no such contract" }] });
    }
    if (!(payableContractStatuses as readonly string[]).includes(contract.status)) {
      throw new DomainError("INVALID_STATE", `contract ${owner.contractId} is ${contract.status} and takes no more deposits`, {
        details: { contractId: owner.contractId, status: contract.status },
      });
    }
  }
  for (let attempt = 0; attempt < 8; attempt++) {
    const [created] = await db.paybillAccount.createManyAndReturn({
      data: [{ accountNumber: newPaybillAccountNumber(), ...where }],
      skipDuplicates: true,
    });
    if (created) return created;
    const raced = await db.paybillAccount.findUnique({ where });
    if (raced) return raced;
    // The number was taken by another owner: draw again.
  }
  throw new Error("could not allocate a free paybill account number in 8 draws");
}

export type PaybillTarget = { userId: string; contractId: string | null; accountNumber: string | null };

/**
 * Who a C2B payment's BillRefNumber names: a paybill account number, an open contract's id, or
 * a user's id (a user the platform knows: one with an account number, a deposit or a wallet).
 */
export async function resolvePaybillReference(db: Db | Tx, billRefNumber: string): Promise<PaybillTarget | null> {
  const reference = billRefNumber.replace(/[\s-]/g, "");
  if (!reference) return null;
  if (/^\d+$/.test(reference)) {
    const account = await db.paybillAccount.findUnique({ where: { accountNumber: reference } });
    if (account) return targetOfAccount(db, account);
  }
  const byOwner = await db.paybillAccount.findFirst({ where: { OR: [{ userId: reference }, { contractId: reference }] } });
  if (byOwner) return targetOfAccount(db, byOwner);
  const contract = await db.contract.findUnique({ where: { id: reference }, select: { id: true, consumerId: true, status: true } });
  if (contract) {
    return (payableContractStatuses as readonly string[]).includes(contract.status)
      ? { userId: contract.consumerId, contractId: contract.id, accountNumber: null }
      : null;
  }
  return (await isKnownUser(db, reference)) ? { userId: reference, contractId: null, accountNumber: null } : null;
}

async function targetOfAccount(db: Db | Tx, account: PaybillAccount): Promise<PaybillTarget | null> {
  if (account.userId) return { userId: account.userId, contractId: null, accountNumber: account.accountNumber };
  const contract = await db.contract.findUnique({ where: { id: account.contractId! }, select: { consumerId: true, status: true } });
  if (!contract || !(payableContractStatuses as readonly string[]).includes(contract.status)) return null;
  return { userId: contract.consumerId, contractId: account.contractId, accountNumber: account.accountNumber };
}
